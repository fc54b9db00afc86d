import { z } from "zod";
import { getDb } from "../db";
import { AppError } from "../errors";
import { recordAudit } from "../audit";
import { hashPassword, PASSWORD_MIN_LENGTH } from "../auth/password";
import { ROLES, isControlRole, type UserSummary } from "../chat/types";
import { NO_NUL, noNul } from "../chat/schemas";
import { Prisma } from "../generated/prisma/client";

const text = (max: number) => z.string().trim().max(max).refine(noNul, NO_NUL);

export const createUserSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  name: text(80).pipe(z.string().min(1)),
  role: z.enum(ROLES),
  password: z.string().min(PASSWORD_MIN_LENGTH).max(200),
  vehicle: text(40).nullish(),
  route: text(40).nullish(),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

/**
 * Creates an account. A new control staff member or admin becomes a participant of every existing
 * support conversation, as the seed does for staff who exist when a conversation is opened.
 * Throws VALIDATION, or CONFLICT when the email is taken.
 */
export async function createUser(input: unknown, actorId: string | null = null): Promise<UserSummary & { email: string }> {
  const parsed = createUserSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const data = parsed.data;
  const passwordHash = await hashPassword(data.password);
  try {
    const user = await getDb().$transaction(async (tx) => {
      const created = await tx.user.create({
        data: { email: data.email, name: data.name, role: data.role, passwordHash, vehicle: data.vehicle ?? null, route: data.route ?? null },
      });
      if (isControlRole(created.role)) {
        const conversations = await tx.conversation.findMany({ select: { id: true } });
        await tx.participant.createMany({
          data: conversations.map((c) => ({ conversationId: c.id, userId: created.id })),
          skipDuplicates: true,
        });
      }
      return created;
    });
    await recordAudit({ action: "user.created", actorId, subject: user.id, detail: { role: user.role } });
    return { id: user.id, email: user.email, name: user.name, role: user.role, vehicle: user.vehicle, route: user.route };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", `An account with email ${data.email} already exists.`);
    }
    throw error;
  }
}
