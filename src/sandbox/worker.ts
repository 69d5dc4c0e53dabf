import { Engine } from './engine.ts';
import { ParentMessageSchema, type ChildMessage } from './protocol.ts';

/**
 * Entry of the sandbox process (forked by the supervisor with --no-node-snapshot). It only
 * talks to its parent over IPC; when the parent goes away, it goes too.
 */

const send = (message: ChildMessage): void => {
  if (process.connected) process.send?.(message);
};

// isolated-vm's advice for a catastrophic isolate error: state why, then end the process.
// stderr on a pipe is written synchronously, so the parent sees the reason before the exit.
const onCatastrophicError = (message: string): void => {
  process.stderr.write(`sandbox: catastrophic isolate error: ${message}\n`);
  process.abort();
};

let engine: Engine | undefined;

process.on('message', (raw: unknown) => {
  const parsed = ParentMessageSchema.safeParse(raw);
  if (!parsed.success) return;
  const message = parsed.data;
  switch (message.t) {
    case 'init':
      engine = new Engine(message.limits, (id, outcome) => send({ t: 'result', id, outcome }), onCatastrophicError);
      send({ t: 'ready' });
      break;
    case 'run':
      if (engine === undefined) send({ t: 'result', id: message.id, outcome: { ok: false, kind: 'crashed', message: 'the sandbox is not initialised' } });
      else engine.run(message.id, message.input);
      break;
    case 'check':
      send({ t: 'checked', id: message.id, check: engine?.check(message.script) ?? { ok: false, kind: 'unavailable', message: 'the sandbox is not initialised' } });
      break;
    case 'cancel':
      engine?.cancel(message.id);
      break;
    case 'ping':
      send({ t: 'pong', n: message.n });
      break;
  }
});

process.on('disconnect', () => {
  engine?.dispose();
  process.exit(0);
});
