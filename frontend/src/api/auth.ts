import { http } from './http'
import type { Tokens, User } from '@/utils/tokens'

export const authApi = {
  login: (username: string, password: string) =>
    http.post<Tokens>('/auth/login', { username, password }, { auth: false, silent: true }),
  logout: () => http.post<void>('/auth/logout', undefined, { silent: true }),
  me: () => http.get<User>('/me'),
  changePassword: (oldPassword: string, newPassword: string) => http.put<void>('/me/password', { oldPassword, newPassword }, { silent: true }),
}
