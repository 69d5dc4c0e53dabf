/** Names and data shared by the upstream emulator, the seeder and the orchestrator. */

/** The upstream client secret of every bench connection. */
export const UPSTREAM_SECRET = 'bench-upstream-secret';
/** Connections whose logins rotate; each is upstream client `bench-<k>`. */
export const ACTIVE_CONNECTIONS = 10;

/** The upstream profile of user number `user` (user_id at our server: `oauth2|bench-<user mod 10>|u<user>`). */
export const profileOf = (user: number) => ({
  sub: `u${user}`, name: `Bench User ${user}`, given_name: 'Bench', family_name: `User ${user}`,
  email: `u${user}@bench.example`, email_verified: true,
});
