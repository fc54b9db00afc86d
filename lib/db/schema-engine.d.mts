// Types for the plain-ESM offline schema engine (lib/db/schema-engine.mjs).
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

export type AdapterFactory = SqlMigrationAwareDriverAdapterFactory & { close(): Promise<void> };

export function openAdapterFactory(url: string): Promise<AdapterFactory>;

export function applyMigrations(options: {
  url?: string;
  factory?: AdapterFactory;
  schemaPath?: string;
  migrationsDir?: string;
}): Promise<string[]>;
