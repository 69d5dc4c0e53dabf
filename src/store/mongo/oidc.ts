import type { OidcRecord, OidcRepo } from '../types.ts';
import type { Collections } from './connect.ts';
import { live, plain } from './docs.ts';
import type { OidcDoc } from './docs.ts';

const keyOf = (model: string, id: string): string => `${model}:${id}`;

/** oidc-provider models on MongoDB, with a TTL index on expiresAt. */
export function mongoOidc(c: Collections): OidcRepo {
  return {
    async upsert(model, id, payload, expiresAt, lookup = {}) {
      const now = new Date();
      const optional = (value: unknown): unknown => (typeof value === 'string' ? { $literal: value } : '$$REMOVE');
      // A pipeline so that one write can decide about `consumed`: the mark survives a
      // re-save (a code must never become redeemable again) unless the old record had
      // expired, in which case this is a new record under an old id.
      await c.oidc.updateOne(
        { _id: keyOf(model, id) },
        [
          {
            $set: {
              model: { $literal: model },
              id: { $literal: id },
              payload: { $literal: plain(payload) },
              uid: optional(lookup.uid),
              userCode: optional(lookup.userCode),
              grantId: optional(payload['grantId']),
              accountId: optional(payload['accountId']),
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
          { $set: { expiresAt: expiresAt === undefined ? '$$REMOVE' : new Date(expiresAt) } },
        ],
        { upsert: true },
      );
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
