// Token storage: the access and refresh tokens and the signed-in user live in localStorage so that
// a reload keeps the session. Nothing else in the app touches these keys.
export interface User {
  id: number
  username: string
  displayName: string
  roles: string[]
  orgId: number
  cadreId: number | null
  disabled?: boolean
  locked?: boolean
  lockedUntil?: string
}

export interface Tokens {
  accessToken: string
  refreshToken: string
  tokenType?: string
  expiresIn: number
  user: User
}

const KEY = 'qualify.session'

export function loadSession(): Tokens | null {
  try {
    const raw = localStorage.getItem(KEY)
    return raw ? (JSON.parse(raw) as Tokens) : null
  } catch {
    return null
  }
}

export function saveSession(t: Tokens): void {
  localStorage.setItem(KEY, JSON.stringify(t))
}

export function clearSession(): void {
  localStorage.removeItem(KEY)
}
