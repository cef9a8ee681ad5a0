import { http, type Page } from './http'
import type { User } from '@/utils/tokens'

export interface Role {
  code: string
  name: string
  admin: boolean
}

export interface SecurityPolicy {
  passwordMinLength: number
  passwordMinClasses: number
  lockoutThreshold: number
  lockoutMinutes: number
  idleTimeoutMinutes: number
  loginRatePerAddr: number
  loginRatePerUser: number
}

export interface NewUser {
  username: string
  displayName: string
  password: string
  orgId: number
}

export const adminApi = {
  users: (q: { q?: string; role?: string; page?: number; pageSize?: number }) => http.get<Page<User>>('/users', q),
  createUser: (u: NewUser) => http.post<User>('/users', u, { silent: true }),
  updateUser: (id: number, patch: Partial<{ displayName: string; disabled: boolean }>) => http.patch<User>(`/users/${id}`, patch),
  resetPassword: (id: number, password: string) => http.post<void>(`/users/${id}/password`, { password }, { silent: true }),
  setRoles: (id: number, roles: string[]) => http.put<User>(`/users/${id}/roles`, { roles }),
  unlock: (id: number) => http.post<void>(`/users/${id}/unlock`),
  revokeSessions: (id: number) => http.post<{ revoked: number }>(`/users/${id}/sessions/revoke`),
  roles: () => http.get<Role[]>('/roles'),
  policy: () => http.get<SecurityPolicy>('/security/policy'),
  savePolicy: (p: SecurityPolicy) => http.put<SecurityPolicy>('/security/policy', p, { silent: true }),
}
