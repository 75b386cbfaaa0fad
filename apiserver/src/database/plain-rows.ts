import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Reads only `props` of the query's rows, as plain objects whose values are hydrated as TypeORM
 * hydrates an entity's (dates, simple-json, bigints, column transformers: the driver's
 * prepareHydratedValue), without its entity transformer, which was most of a list request's CPU:
 * it groups rows by primary key and walks every column and relation of every row. For reads that
 * only turn rows into views; the query's conditions, order and limit stay as the builder has them.
 */
export async function selectPlain<E extends ObjectLiteral, K extends keyof E & string>(qb: SelectQueryBuilder<E>, props: readonly K[]): Promise<Pick<E, K>[]> {
  const meta = qb.expressionMap.mainAlias!.metadata;
  const columns = props.map((p) => {
    const c = meta.findColumnWithPropertyName(p);
    if (!c) throw new Error(`${meta.name} has no column ${p}`);
    return c;
  });
  // `t.propertyName AS propertyName`: the builder turns the property into its escaped column name.
  qb.select(`${qb.alias}.${columns[0].propertyName}`, columns[0].propertyName);
  for (const c of columns.slice(1)) qb.addSelect(`${qb.alias}.${c.propertyName}`, c.propertyName);
  const driver = qb.connection.driver;
  const raws = (await qb.getRawMany()) as Record<string, unknown>[];
  return raws.map((raw) => {
    const row: Record<string, unknown> = {};
    for (const c of columns) row[c.propertyName] = driver.prepareHydratedValue(raw[c.propertyName], c);
    return row as Pick<E, K>;
  });
}
