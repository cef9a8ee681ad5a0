import { download, http, type Page } from './http'

export interface SubjectRef {
  code: string
  name: string
}

export interface StatusEvent {
  from: string | null
  to: string
  reason: string
  actorName: string
  at: string
}

export interface Certificate {
  number: string
  status: 'valid' | 'expired' | 'suspended' | 'revoked' | string
  statusName: string
  statusReason?: string
  holder: { cadreId: number; name: string; orgName: string }
  subject: SubjectRef
  issuedAt: string
  issuedOn: string
  expiresAt: string
  expiresOn: string
  issuer: string
  score: number
  history?: StatusEvent[]
}

export interface PublicCertificate {
  number: string
  status: string
  statusName: string
  holderName: string
  subject: SubjectRef
  issuedAt: string
  issuedOn: string
  expiresAt: string
  expiresOn: string
  issuer: string
  reason?: string
}

export const certApi = {
  mine: () => http.get<Certificate[]>('/me/certificates'),
  get: (number: string) => http.get<Certificate>(`/certificates/${encodeURIComponent(number)}`),
  search: (q: { cadreId?: number; subject?: string; status?: string; page?: number; pageSize?: number }) =>
    http.get<Page<Certificate>>('/certificates', q),
  pdf: (number: string) => download(`/certificates/${encodeURIComponent(number)}/pdf`, `${number}.pdf`),
  change: (number: string, action: 'revoke' | 'suspend' | 'reinstate', reason: string) =>
    http.post<Certificate>(`/certificates/${encodeURIComponent(number)}/${action}`, { reason }),
  verify: (number: string, by: { name?: string; t?: string }) =>
    http.get<PublicCertificate>(`/public/certificates/${encodeURIComponent(number)}`, by, { auth: false, silent: true }),
}
