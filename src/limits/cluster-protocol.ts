import type { WindowRule } from '../lib/window-counter.ts';

/**
 * The messages between a worker's limits and the cluster primary's counts (node:cluster IPC,
 * between processes of one server). Every message carries `brokeridLimits`, so other users
 * of the channel ignore them.
 */

/** One key's count to add at the primary: the limit's name and rule, the key, how many. */
export interface AddItem { name: string; rule: WindowRule; key: string; n: number }
/** The primary's count after an add (`total`, including every earlier add) and its window's remaining ms. */
export interface CountState { total: number; msBeforeNext: number }
/** A failure count as the primary holds it, pushed to every worker's mirror. */
export interface FailureEntry { name: string; key: string; total: number; msBeforeNext: number }

export type ToPrimary =
  /** Request counts a worker admitted (or is asking about), in one batch. */
  | { brokeridLimits: 1; t: 'add'; id: number; items: AddItem[] }
  /** One failure (exact: answered after every registered worker's mirror has it). */
  | { brokeridLimits: 1; t: 'fail'; id: number; name: string; rule: WindowRule; key: string }
  /** A worker's first message: registers it for failure pushes and asks for the current failures. */
  | { brokeridLimits: 1; t: 'hello'; id: number }
  /** A worker's mirror has applied push `ack`. */
  | { brokeridLimits: 1; t: 'ack'; ack: number };

export type ToWorker =
  | { brokeridLimits: 1; t: 'added'; id: number; states: CountState[] }
  | { brokeridLimits: 1; t: 'failed'; id: number; entry: FailureEntry }
  | { brokeridLimits: 1; t: 'welcome'; id: number; entries: FailureEntry[] }
  /** A failure counted by another worker; the receiver answers with `ack`. */
  | { brokeridLimits: 1; t: 'push'; ack: number; entry: FailureEntry };

/** Replies that answer a request by its id. */
export type Reply = Extract<ToWorker, { id: number }>;

/** True for a limits message (anything else on the channel is someone else's). */
export function isLimitsMessage<T extends ToPrimary | ToWorker>(msg: unknown): msg is T {
  return typeof msg === 'object' && msg !== null && (msg as { brokeridLimits?: unknown }).brokeridLimits === 1;
}
