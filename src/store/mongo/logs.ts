import type { mongo } from 'mongoose';
import type { LogEvent } from '../../lib/log-events.ts';
import type { LogRepo } from '../types.ts';
import type { Collections } from './connect.ts';
import { fromDoc, guardUnique, listDocs, plain } from './docs.ts';
import type { LogDoc } from './docs.ts';

/** Tenant logs on MongoDB: _id is the log_id; filters and the date sort are indexed. */
export function mongoLogs(c: Collections): LogRepo {
  const toRecord = (d: { _id: string }): LogEvent => fromDoc<LogEvent>(d);
  return {
    async insertMany(events) {
      if (events.length === 0) return;
      // Opt-out from "all or nothing": a standalone server has no multi-document transaction,
      // so a batch refused for a taken log_id may be stored in part (ids are random; the
      // writer never retries a batch, so nothing is stored twice).
      await guardUnique('log_id', () => c.logs.insertMany(events.map((e) => ({ ...plain(e), _id: e.log_id }))));
    },
    async get(logId) {
      const d = await c.logs.findOne({ _id: logId });
      return d ? toRecord(d) : null;
    },
    async list(filter, options) {
      const query: mongo.Filter<LogDoc> = {};
      if (filter.types !== undefined) query.type = { $in: filter.types as LogEvent['type'][] };
      if (filter.user_id !== undefined) query.user_id = filter.user_id;
      if (filter.client_id !== undefined) query.client_id = filter.client_id;
      if (filter.connection !== undefined) query.connection = filter.connection;
      if (filter.dateFrom !== undefined || filter.dateTo !== undefined) {
        query.date = {
          ...(filter.dateFrom !== undefined ? { $gte: filter.dateFrom } : {}),
          ...(filter.dateTo !== undefined ? { $lt: filter.dateTo } : {}),
        };
      }
      const dir = options.order === 'asc' ? 1 : -1;
      let after: mongo.Filter<LogDoc> | undefined;
      if (options.afterId !== undefined) {
        const from = await c.logs.findOne({ _id: options.afterId }, { projection: { date: 1 } });
        const op = dir === 1 ? '$gt' : '$lt';
        // An unknown checkpoint matches nothing rather than restarting from the top.
        after = from
          ? { $or: [{ date: { [op]: from.date } }, { date: from.date, _id: { [op]: options.afterId } }] } as mongo.Filter<LogDoc>
          : { _id: { $in: [] } };
      }
      return listDocs(c.logs, query, options, toRecord, { sort: { date: dir, _id: dir }, ...(after ? { after } : {}) });
    },
    async purgeBefore(date) {
      return (await c.logs.deleteMany({ date: { $lt: date } })).deletedCount;
    },
  };
}
