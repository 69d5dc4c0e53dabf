import type { BlacklistRepo } from '../types.ts';
import type { Collections } from './connect.ts';
import { listDocs } from './docs.ts';

const keyOf = (aud: string, jti: string): string => `${aud}\n${jti}`;

/** Revoked tokens on MongoDB, one document per (aud, jti), removed by the TTL index after expiry. */
export function mongoBlacklists(c: Collections): BlacklistRepo {
  return {
    async add(entry, expiresAt) {
      // A pipeline, so that adding an entry again keeps the later of the two expiries in one write.
      await c.blacklists.updateOne(
        { _id: keyOf(entry.aud, entry.jti) },
        [{ $set: { aud: { $literal: entry.aud }, jti: { $literal: entry.jti }, expiresAt: { $max: ['$expiresAt', new Date(expiresAt)] } } }],
        { upsert: true },
      );
    },
    async has(aud, jti) {
      return (await c.blacklists.countDocuments({ _id: keyOf(aud, jti), expiresAt: { $gt: new Date() } }, { limit: 1 })) === 1;
    },
    async list(filter, options) {
      const query = { expiresAt: { $gt: new Date() }, ...(filter.aud !== undefined ? { aud: filter.aud } : {}) };
      return listDocs(c.blacklists, query, options, (d) => ({ aud: d.aud, jti: d.jti }));
    },
  };
}
