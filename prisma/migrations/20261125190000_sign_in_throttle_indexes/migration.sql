-- CreateIndex
CREATE INDEX "AuditEvent_action_subject_createdAt_idx" ON "AuditEvent"("action", "subject", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_action_ip_createdAt_idx" ON "AuditEvent"("action", "ip", "createdAt");
