// `npm run users -- <command>`: account administration for operators.
//   add --email E --name N --role ROLE [--password P] [--vehicle V] [--route R]
//   deactivate --email E | reactivate --email E | set-password --email E [--password P] | set-role --email E --role ROLE
// Without --password, the password is read from the PASSWORD environment variable (keeps it out of shell history).
// Stop the server first when using the embedded database (one process per data directory).
import { parseArgs } from "node:util";
import { closeDatabase, openDatabase } from "../lib/db/open";
import { createUser } from "../lib/users/create-user";
import { changeRole, deactivateUser, reactivateUser, setPassword } from "../lib/users/manage-user";
import { AppError } from "../lib/errors";
import { loadEnv } from "../lib/env";

const USAGE = "usage: npm run users -- add|deactivate|reactivate|set-password|set-role --email E [--name N] [--role ROLE] [--password P] [--vehicle V] [--route R]";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: "string" },
    name: { type: "string" },
    role: { type: "string" },
    password: { type: "string" },
    vehicle: { type: "string" },
    route: { type: "string" },
  },
});

const command = positionals[0];
const env = loadEnv({ ...process.env, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "x".repeat(32) });
const password = values.password ?? process.env.PASSWORD;

try {
  if (!command || !values.email) throw new AppError("VALIDATION", USAGE);
  await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, migrate: !env.DATABASE_URL });
  switch (command) {
    case "add": {
      const user = await createUser({ email: values.email, name: values.name, role: values.role, password, vehicle: values.vehicle, route: values.route });
      console.log(`added ${user.email} (${user.role}) id=${user.id}`);
      break;
    }
    case "deactivate":
      await deactivateUser(values.email);
      console.log(`deactivated ${values.email}`);
      break;
    case "reactivate":
      await reactivateUser(values.email);
      console.log(`reactivated ${values.email}`);
      break;
    case "set-password":
      await setPassword(values.email, password ?? "");
      console.log(`password set for ${values.email}`);
      break;
    case "set-role":
      await changeRole(values.email, values.role ?? "");
      console.log(`role of ${values.email} set to ${values.role}`);
      break;
    default:
      throw new AppError("VALIDATION", USAGE);
  }
} catch (error) {
  console.error(error instanceof AppError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
