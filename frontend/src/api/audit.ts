import { http, type Page } from './http'

export interface AuditEvent {
  seq: number
  occurredAt: string
  actorId: number | null
  actorName: string
  action: string
  targetType: string
  targetId: string
  summary: unknown
  requestId: string
  ip: string
  prevHash: string
  hash: string
}

export interface AuditVerify {
  intact: boolean
  verified: number
  brokenAt?: number
  reason?: string
}

export const auditApi = {
  events: (q: { action?: string; targetType?: string; targetId?: string; actor?: string; page?: number; pageSize?: number }) =>
    http.get<Page<AuditEvent>>('/audit/events', q),
  verify: () => http.get<AuditVerify>('/audit/verify'),
}
