// Progressive extras of the admin console; every form works without this file.
'use strict';
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-copy], button[data-reset]') : null;
  if (!button) return;
  const target = document.getElementById(button.dataset.copy || button.dataset.reset);
  if (!target) return;
  if (button.dataset.reset) {
    // Back to the value saved on the server (not the browser's form reset, which would undo every field).
    target.value = target.dataset.saved || '';
    target.focus();
    return;
  }
  const done = () => {
    const label = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = label; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(target.value).then(done, () => { target.select(); });
  } else {
    target.select();
    if (document.execCommand('copy')) done();
  }
});
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
