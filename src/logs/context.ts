/** Request fields of an event: defined with the vocabulary in lib/ so oidc/ (below logs/) can use them too. */
export { requestFields, type RequestLike } from '../lib/log-events.ts';
