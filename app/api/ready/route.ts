import { checkReadiness } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Readiness: 200 when the database answers and migrations are applied, else 503 with the reason. */
export async function GET() {
  const readiness = await checkReadiness();
  return readiness.ready
    ? Response.json({ status: "ready" })
    : Response.json({ status: "unavailable", reason: readiness.reason }, { status: 503 });
}
