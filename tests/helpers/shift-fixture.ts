// A realistic control-room shift, written straight into a database that this process has open
// (before the server starts: PGlite allows one process per directory). Used by `npm run screenshots`
// and the dashboard UI benchmark. Bulk inserts, with timestamps spread over the shift, so that
// waiting times, date separators and unread counts look like a real night.
import { randomUUID } from "node:crypto";
import { getDb } from "../../lib/db";
import { hashPassword } from "../../lib/auth/password";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemoAccounts } from "../../lib/users/seed-demo";
import type { Category } from "../../lib/chat/types";

export interface ShiftOptions {
  /** Open conversations besides the emergencies (default 44). */
  openConversations?: number;
  /** Unacknowledged emergencies (default 3). */
  emergencies?: number;
  /** Messages in the long conversation of the demo driver (default 200). */
  historyLength?: number;
  /** Field staff accounts besides the demo ones (default 10). */
  fieldStaff?: number;
  /** Extra accounts for the admin's user list (default 0). */
  extraUsers?: number;
  now?: number;
}

export interface ShiftFixture {
  /** A resolved conversation of three days ago (150 messages); one early message holds a rare word. */
  archive: { conversationId: string; title: string; word: string; sequence: number; body: string };
  historyConversationId: string;
  historyTitle: string;
  emergencyTitles: string[];
  openCount: number;
}

const FIRST = ["Ana", "Bruno", "Chen", "Dmitri", "Ebony", "Farah", "Goran", "Hana", "Ivo", "Jade", "Kwame", "Lucía", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq"];
const LAST = ["Ruiz", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Haddad", "Silva", "Novak", "Byrne"];
const TOPICS: Record<Exclude<Category, "EMERGENCY">, [string, string][]> = {
  DRIVER: [
    ["Ticket machine frozen", "The ticket machine shows a blank screen since the last stop."],
    ["Diversion at Market St", "Police closed Market St. Which diversion do I take?"],
    ["Running 12 min late", "Heavy traffic on the ring road, running 12 minutes behind."],
    ["Rear door sensor fault", "Rear door alarm keeps beeping even when the door is closed."],
    ["Passenger left a bag", "A passenger left a black rucksack on the back seat."],
    ["Low fuel warning", "Fuel light came on, about 40 km left. Where do I refuel?"],
    ["Wheelchair ramp stuck", "Ramp won't retract at Elm Park stop."],
  ],
  REGULATOR: [
    ["Bunching on Route 4", "Three buses on Route 4 arrived together at Central."],
    ["Queue at stand C", "About 60 people waiting at stand C, no bus for 20 min."],
    ["Driver relief missing", "Relief driver for Bus 208 has not shown up."],
    ["Stand blocked by a van", "Delivery van parked across stand B."],
  ],
  GENERAL: [
    ["Roster question", "Can I swap my Sunday shift with Jade?"],
    ["Uniform order", "When does the new winter jacket order arrive?"],
    ["App keeps logging out", "The support app logs me out every morning."],
  ],
};
const EMERGENCY_TEXT = ["Passenger collapsed on board", "Collision at the depot gate", "Aggressive passenger, I need help"];
const CONTROL_REPLIES = ["Thanks, looking into it now.", "Noted. Stay where you are, I'm calling the depot.", "Can you send the exact stop name?", "Relief is on the way, ETA 10 minutes.", "Understood, I've logged it."];
const FIELD_REPLIES = ["OK, thanks.", "Still waiting here.", "It's the stop after the bridge.", "Passengers are asking how long.", "Done, back on schedule."];

const minutes = (n: number) => n * 60_000;

/** Seeds the shift; the demo accounts are created too (password DEMO_PASSWORD for every account). */
export async function seedShift(options: ShiftOptions = {}): Promise<ShiftFixture> {
  const { openConversations = 44, emergencies = 3, historyLength = 200, fieldStaff = 10, extraUsers = 0, now = Date.now() } = options;
  const db = getDb();
  await seedDemoAccounts();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const field = Array.from({ length: fieldStaff }, (_, i) => {
    const isRegulator = i % 4 === 3;
    return {
      id: randomUUID(),
      email: `field${i + 1}@shift.local`,
      name: `${FIRST[i % FIRST.length]} ${LAST[(i * 3) % LAST.length]}`,
      role: isRegulator ? ("QUEUE_REGULATOR" as const) : ("BUS_DRIVER" as const),
      passwordHash,
      vehicle: isRegulator ? null : `Bus ${200 + i * 7}`,
      route: isRegulator ? ["Central Station", "Harbour Interchange"][i % 2]! : `Route ${(i % 9) + 1}`,
    };
  });
  const colleagues = [
    { id: randomUUID(), email: "sam@shift.local", name: "Sam Okoye", role: "CONTROL_STAFF" as const, passwordHash },
    { id: randomUUID(), email: "priya@shift.local", name: "Priya Nair", role: "CONTROL_STAFF" as const, passwordHash },
  ];
  const extra = Array.from({ length: extraUsers }, (_, i) => ({
    id: randomUUID(),
    email: `staff${String(i + 1).padStart(4, "0")}@fleet.local`,
    name: `${FIRST[(i * 7) % FIRST.length]} ${LAST[i % LAST.length]} ${i + 1}`,
    role: (["BUS_DRIVER", "QUEUE_REGULATOR", "CONTROL_STAFF"] as const)[i % 3]!,
    passwordHash,
    isActive: i % 17 !== 5,
  }));
  await db.user.createMany({ data: [...field, ...colleagues, ...extra] });

  const demo = await db.user.findMany({ where: { email: { in: DEMO_ACCOUNTS.map((a) => a.email) } } });
  const byEmail = new Map(demo.map((u) => [u.email, u]));
  const demoDriver = byEmail.get("driver@demo.local")!;
  const control = byEmail.get("control@demo.local")!;
  const admin = byEmail.get("admin@demo.local")!;
  const people = [{ id: demoDriver.id, vehicle: demoDriver.vehicle, route: demoDriver.route, role: demoDriver.role }, ...field];
  const handlers = [control, ...colleagues];

  const conversations: { id: string; category: Category; title: string; status: "OPEN" | "ASSIGNED" | "RESOLVED"; creatorId: string; assigneeId: string | null; vehicle: string | null; route: string | null; lastSequence: number; lastMessageAt: Date; createdAt: Date; resolvedAt?: Date }[] = [];
  const messages: { id: string; conversationId: string; senderId: string; body: string; kind: "TEXT" | "SYSTEM"; clientId: string; sequence: number; previousPublicSequence: number; createdAt: Date }[] = [];
  const participants: { conversationId: string; userId: string; lastReadSequence: number }[] = [];

  function addConversation(category: Category, title: string, firstBody: string, person: (typeof people)[number], ageMin: number, assignee: { id: string; name: string } | null, replies: number) {
    const id = randomUUID();
    const createdAt = new Date(now - minutes(ageMin));
    let sequence = 0;
    const push = (senderId: string, body: string, at: number, kind: "TEXT" | "SYSTEM" = "TEXT") => {
      sequence += 1;
      messages.push({ id: randomUUID(), conversationId: id, senderId, body, kind, clientId: `fixture:${randomUUID()}`, sequence, previousPublicSequence: sequence - 1, createdAt: new Date(at) });
    };
    push(person.id, firstBody, createdAt.getTime());
    if (assignee) push(assignee.id, `${assignee.name} took this conversation.`, createdAt.getTime() + minutes(1), "SYSTEM");
    for (let r = 0; r < replies; r += 1) {
      const at = createdAt.getTime() + minutes(2 + r * Math.max(1, ageMin / (replies + 2)));
      if (assignee && r % 2 === 0) push(assignee.id, CONTROL_REPLIES[r % CONTROL_REPLIES.length]!, at);
      else push(person.id, FIELD_REPLIES[r % FIELD_REPLIES.length]!, at);
    }
    conversations.push({ id, category, title, status: assignee ? "ASSIGNED" : "OPEN", creatorId: person.id, assigneeId: assignee?.id ?? null, vehicle: person.vehicle ?? null, route: person.route ?? null, lastSequence: sequence, lastMessageAt: new Date(messages.at(-1)!.createdAt), createdAt });
    participants.push({ conversationId: id, userId: person.id, lastReadSequence: sequence });
    // Most are read by control up to the last control message; some have fresh driver messages.
    if (assignee) participants.push({ conversationId: id, userId: assignee.id, lastReadSequence: Math.max(1, sequence - (replies % 3)) });
    return id;
  }

  const emergencyTitles: string[] = [];
  for (let e = 0; e < emergencies; e += 1) {
    const person = people.filter((p) => p.role === "BUS_DRIVER")[e % people.length]!;
    const title = EMERGENCY_TEXT[e % EMERGENCY_TEXT.length]!;
    emergencyTitles.push(title);
    addConversation("EMERGENCY", title, `EMERGENCY: ${title.toLowerCase()}. Need help now.`, person, 1 + e * 2, null, 0);
  }
  const categories: Exclude<Category, "EMERGENCY">[] = ["DRIVER", "DRIVER", "REGULATOR", "GENERAL", "DRIVER"];
  for (let i = 0; i < openConversations; i += 1) {
    const category = categories[i % categories.length]!;
    const candidates = people.filter((p) => (category === "REGULATOR" ? p.role === "QUEUE_REGULATOR" : p.role === "BUS_DRIVER" || category === "GENERAL"));
    const person = candidates[(i * 5) % candidates.length] ?? people[0]!;
    const [title, body] = TOPICS[category][i % TOPICS[category].length]!;
    const assignee = i % 3 === 0 ? null : { id: handlers[i % handlers.length]!.id, name: handlers[i % handlers.length]!.name };
    addConversation(category, title, body, person, 5 + ((i * 13) % 230), assignee, i % 5);
  }

  // The long one: the demo driver and Casey over two days, 200 messages.
  const historyTitle = "Recurring brake noise on Bus 412";
  const historyId = randomUUID();
  const start = now - minutes(60 * 30);
  for (let m = 0; m < historyLength; m += 1) {
    const fromDriver = m % 3 !== 1;
    messages.push({
      id: randomUUID(),
      conversationId: historyId,
      senderId: fromDriver ? demoDriver.id : control.id,
      body: fromDriver ? `${FIELD_REPLIES[m % FIELD_REPLIES.length]} (update ${m + 1}: brakes squeal at low speed near ${["Elm Park", "the depot", "Central"][m % 3]})` : CONTROL_REPLIES[m % CONTROL_REPLIES.length]!,
      kind: "TEXT",
      clientId: `fixture:${randomUUID()}`,
      sequence: m + 1,
      previousPublicSequence: m,
      createdAt: new Date(start + Math.floor((m / historyLength) * minutes(60 * 29.5))),
    });
  }
  conversations.push({ id: historyId, category: "DRIVER", title: historyTitle, status: "ASSIGNED", creatorId: demoDriver.id, assigneeId: control.id, vehicle: demoDriver.vehicle, route: demoDriver.route, lastSequence: historyLength, lastMessageAt: messages.at(-1)!.createdAt, createdAt: new Date(start) });
  participants.push({ conversationId: historyId, userId: demoDriver.id, lastReadSequence: historyLength }, { conversationId: historyId, userId: control.id, lastReadSequence: historyLength - 2 });

  // Three days ago, resolved: a long exchange whose fourth message is the only one with a rare word,
  // for history search (it is in no queue and no browser holds it).
  const archiveId = randomUUID();
  const archiveTitle = "Kneeling suspension fault";
  const archiveStart = now - minutes(60 * 76);
  const archiveNeedle = { word: "hydraulic", sequence: 4, body: "The kneeling suspension leaked hydraulic fluid at Quarry Lane, the step is now 10 cm too high." };
  const archiveDriver = field.find((p) => p.role === "BUS_DRIVER") ?? people[0]!;
  const ARCHIVE_LENGTH = 150;
  for (let m = 1; m <= ARCHIVE_LENGTH; m += 1) {
    const fromDriver = m % 2 === 0;
    messages.push({
      id: randomUUID(),
      conversationId: archiveId,
      senderId: fromDriver || m === archiveNeedle.sequence ? archiveDriver.id : control.id,
      body: m === archiveNeedle.sequence ? archiveNeedle.body : fromDriver ? `${FIELD_REPLIES[m % FIELD_REPLIES.length]} (step height check ${m})` : CONTROL_REPLIES[m % CONTROL_REPLIES.length]!,
      kind: "TEXT",
      clientId: `fixture:${randomUUID()}`,
      sequence: m,
      previousPublicSequence: m - 1,
      createdAt: new Date(archiveStart + m * 20_000),
    });
  }
  conversations.push({ id: archiveId, category: "DRIVER", title: archiveTitle, status: "RESOLVED", creatorId: archiveDriver.id, assigneeId: control.id, vehicle: archiveDriver.vehicle ?? null, route: archiveDriver.route ?? null, lastSequence: ARCHIVE_LENGTH, lastMessageAt: new Date(archiveStart + ARCHIVE_LENGTH * 20_000), createdAt: new Date(archiveStart), resolvedAt: new Date(archiveStart + (ARCHIVE_LENGTH + 3) * 20_000) });
  participants.push({ conversationId: archiveId, userId: archiveDriver.id, lastReadSequence: ARCHIVE_LENGTH }, { conversationId: archiveId, userId: control.id, lastReadSequence: ARCHIVE_LENGTH });

  await db.conversation.createMany({ data: conversations });
  for (let i = 0; i < messages.length; i += 2000) await db.message.createMany({ data: messages.slice(i, i + 2000) });
  await db.participant.createMany({ data: participants });

  // The audit record such a shift leaves: accounts the admin created, staff signing in, takes and
  // raised emergencies, in time order.
  const audit: { action: string; actorId: string; subject: string; detail?: { role: string }; createdAt: Date }[] = [];
  extra.forEach((u, i) => audit.push({ action: "user.created", actorId: admin.id, subject: u.id, detail: { role: u.role }, createdAt: new Date(now - minutes(60 * 48) + i * 1000) }));
  for (const [i, h] of handlers.entries()) audit.push({ action: "auth.sign_in", actorId: h.id, subject: h.email, createdAt: new Date(now - minutes(60 * 8 - i)) });
  for (const c of conversations) {
    if (c.assigneeId) audit.push({ action: "conversation.taken", actorId: c.assigneeId, subject: c.id, createdAt: new Date(c.createdAt.getTime() + minutes(1)) });
    if (c.category === "EMERGENCY") audit.push({ action: "emergency.raised", actorId: c.creatorId, subject: c.id, createdAt: c.createdAt });
  }
  for (let i = 0; i < audit.length; i += 2000) await db.auditEvent.createMany({ data: audit.slice(i, i + 2000) });
  return { archive: { conversationId: archiveId, title: archiveTitle, ...archiveNeedle }, historyConversationId: historyId, historyTitle, emergencyTitles, openCount: conversations.length };
}
