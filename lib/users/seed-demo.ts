import { getDb } from "../db";
import { createUser } from "./create-user";
import type { Role } from "../chat/types";

export const DEMO_PASSWORD = "transit-demo";

export const DEMO_ACCOUNTS: { email: string; name: string; role: Role; vehicle?: string; route?: string }[] = [
  { email: "driver@demo.local", name: "Dana Driver", role: "BUS_DRIVER", vehicle: "Bus 412", route: "Route 7" },
  { email: "regulator@demo.local", name: "Rafa Regulator", role: "QUEUE_REGULATOR", route: "Central Station" },
  { email: "control@demo.local", name: "Casey Control", role: "CONTROL_STAFF" },
  { email: "admin@demo.local", name: "Alex Admin", role: "CONTROL_ADMIN" },
];

/** Creates the demo accounts that do not exist yet. Returns the emails created. */
export async function seedDemoAccounts(): Promise<string[]> {
  const created: string[] = [];
  for (const account of DEMO_ACCOUNTS) {
    const exists = await getDb().user.findUnique({ where: { email: account.email }, select: { id: true } });
    if (exists) continue;
    await createUser({ ...account, password: DEMO_PASSWORD });
    created.push(account.email);
  }
  return created;
}
