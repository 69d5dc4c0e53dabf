/** A plain object (not null, not an array): the shape every JSON body and option bag is checked against. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
