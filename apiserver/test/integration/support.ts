import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { ServerConfig } from '../../src/config/config';

/** MariaDB of this machine (or CI's): root without a password, as the developers' guide sets it up. */
export const MYSQL_URL = process.env.CRONFLEET_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.CRONFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export const uniqueSuffix = () => `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** A fresh database per test file, dropped afterwards. */
export function mysqlDb(label: string): { db: ServerConfig['db']; drop(): Promise<void> } {
  const database = `cf_it_${label}_${uniqueSuffix()}`;
  return {
    db: { kind: 'mysql', url: `${MYSQL_URL}/${database}`, database },
    async drop() {
      const admin = new DataSource({ type: 'mysql', url: `${MYSQL_URL}/` });
      await admin.initialize();
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await admin.destroy();
      }
    },
  };
}

/** A fresh SQLite file in a temp directory. */
export function sqliteDb(): { db: ServerConfig['db']; drop(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'cronfleet-it-'));
  return { db: { kind: 'sqlite', file: join(dir, 'cronfleet.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export const backends = [
  { name: 'MySQL', make: (label: string) => mysqlDb(label) },
  { name: 'SQLite', make: () => sqliteDb() },
] as const;
