import { getDb } from "../db";
import { AppError } from "../errors";
import { requireControl } from "./access";
import { supportRoomSchema } from "./schemas";
import { SUPPORT_ROOMS, type AuthUser, type SupportRoom } from "./types";

function parseRoom(input: unknown): SupportRoom {
  const parsed = supportRoomSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", `room must be one of ${SUPPORT_ROOMS.join(", ")}.`);
  return parsed.data.room;
}

/** The rooms a control staff member monitors; new accounts monitor every room. */
export async function getMonitoredRooms(user: AuthUser): Promise<SupportRoom[]> {
  requireControl(user, "monitor support rooms");
  const row = await getDb().user.findUnique({ where: { id: user.id }, select: { monitoredRooms: true } });
  const stored = row?.monitoredRooms ?? [];
  if (stored.length === 0) return [...SUPPORT_ROOMS];
  return stored.filter((r): r is SupportRoom => (SUPPORT_ROOMS as readonly string[]).includes(r));
}

async function saveRooms(user: AuthUser, next: SupportRoom[]): Promise<SupportRoom[]> {
  const ordered = SUPPORT_ROOMS.filter((r) => next.includes(r));
  await getDb().user.update({ where: { id: user.id }, data: { monitoredRooms: ordered } });
  return ordered;
}

/** Adds a support room to what the user monitors (persisted). Field staff get FORBIDDEN. */
export async function joinSupportRoom(user: AuthUser, input: unknown): Promise<SupportRoom[]> {
  requireControl(user, "join support rooms");
  const room = parseRoom(input);
  const current = await getMonitoredRooms(user);
  return current.includes(room) ? current : saveRooms(user, [...current, room]);
}

/** Stops monitoring a support room. Leaving the last one is allowed: the user then hears no new-conversation alerts. */
export async function leaveSupportRoom(user: AuthUser, input: unknown): Promise<SupportRoom[]> {
  requireControl(user, "leave support rooms");
  const room = parseRoom(input);
  const current = await getMonitoredRooms(user);
  const next = current.filter((r) => r !== room);
  if (next.length === 0) {
    // An empty stored list means "all rooms"; store a marker that matches no room instead.
    await getDb().user.update({ where: { id: user.id }, data: { monitoredRooms: ["none"] } });
    return [];
  }
  return saveRooms(user, next);
}
