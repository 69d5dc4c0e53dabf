import type { mongo } from 'mongoose';
import type { OidcRecord, OidcRepo, OidcWrite } from '../types.ts';
import type { Collections } from './connect.ts';
import { live, plain } from './docs.ts';
import type { OidcDoc } from './docs.ts';

const keyOf = (model: string, id: string): string => `${model}:${id}`;

/** The filter and update pipeline of one upsert. */
function upsertOf(w: OidcWrite & { payload: Record<string, unknown> }): { filter: { _id: string }; update: mongo.Document[] } {
  const now = new Date();
  const lookup = w.lookup ?? {};
  const optional = (value: unknown): unknown => (typeof value === 'string' ? { $literal: value } : '$$REMOVE');
  // A pipeline so that one write can decide about `consumed`: the mark survives a
  // re-save (a code must never become redeemable again) unless the old record had
  // expired, in which case this is a new record under an old id.
  return {
    filter: { _id: keyOf(w.model, w.id) },
    update: [
      {
        $set: {
          model: { $literal: w.model },
          id: { $literal: w.id },
          payload: { $literal: plain(w.payload) },
          uid: optional(lookup.uid),
          userCode: optional(lookup.userCode),
          grantId: optional(w.payload['grantId']),
          accountId: optional(w.payload['accountId']),
          consumed: {
            $cond: [
              { $and: [{ $eq: [{ $type: '$expiresAt' }, 'date'] }, { $lte: ['$expiresAt', now] }] },
              '$$REMOVE',
              '$consumed',
            ],
          },
        },
      },
      // expiresAt last: the condition above must see the old value.
      { $set: { expiresAt: w.expiresAt === undefined ? '$$REMOVE' : new Date(w.expiresAt) } },
    ],
  };
}

/** oidc-provider models on MongoDB, with a TTL index on expiresAt. */
export function mongoOidc(c: Collections): OidcRepo {
  return {
    async upsert(model, id, payload, expiresAt, lookup = {}) {
      const { filter, update } = upsertOf({ model, id, payload, expiresAt, lookup });
      await c.oidc.updateOne(filter, update, { upsert: true });
    },
    async writeMany(writes) {
      if (writes.length === 0) return;
      await c.oidc.bulkWrite(writes.map((w) => {
        if (w.payload === null) return { deleteOne: { filter: { _id: keyOf(w.model, w.id) } } };
        const { filter, update } = upsertOf({ ...w, payload: w.payload });
        return { updateOne: { filter, update, upsert: true } };
      }), { ordered: true });
    },
    async find(model, id) {
      const d = await c.oidc.findOne({ _id: keyOf(model, id), ...live() });
      return d ? toRecord(d) : null;
    },
    async findByUid(model, uid) {
      const d = await c.oidc.findOne({ model, uid, ...live() });
      return d ? toRecord(d) : null;
    },
    async findByUserCode(model, userCode) {
      const d = await c.oidc.findOne({ model, userCode, ...live() });
      return d ? toRecord(d) : null;
    },
    async destroy(model, id) {
      await c.oidc.deleteOne({ _id: keyOf(model, id) });
    },
    async revokeByGrantId(grantId) {
      await c.oidc.deleteMany({ grantId });
    },
    async revokeByAccountId(accountId) {
      await c.oidc.deleteMany({ accountId });
    },
    async consume(model, id) {
      // One conditional findOneAndUpdate: only the caller that still sees no `consumed`
      // field matches, every other concurrent caller gets null.
      const d = await c.oidc.findOneAndUpdate(
        { _id: keyOf(model, id), consumed: { $exists: false }, ...live() },
        { $set: { consumed: Math.floor(Date.now() / 1000) } },
        { projection: { _id: 1 } },
      );
      return d !== null;
    },
  };
}

function toRecord(d: OidcDoc): OidcRecord {
  const record: OidcRecord = { payload: d.payload };
  if (typeof d.consumed === 'number') record.consumed = d.consumed;
  if (d.expiresAt instanceof Date) record.expiresAt = d.expiresAt.getTime();
  return record;
}
