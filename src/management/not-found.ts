import { notFound, type AppError } from '../errors/app-error.ts';

/**
 * The one way a Management service reports a missing record: it throws the resource's 404
 * from here (it never resolves null or false for "not found"), so a route never checks for
 * absence itself and every path to the same record words it the same.
 */
export const missing = {
  client: (id: string): AppError => notFound(`Client not found: no client has client_id ${JSON.stringify(id)}`),
  clientGrant: (id: string): AppError => notFound(`Client grant not found: ${JSON.stringify(id)}`),
  connection: (id: string): AppError => notFound(`Connection not found: no connection has id ${JSON.stringify(id)}`),
  user: (id: string): AppError => notFound(`User not found: no user has user_id ${JSON.stringify(id)}`, 'inexistent_user'),
};
