// The one request client. It adds the Bearer token, refreshes it once on 401 (rotating the refresh
// token), signs out when that fails, and turns problem+json answers into ApiError.
import { clearSession, loadSession, saveSession, type Tokens } from '@/utils/tokens'

export const API_BASE = '/api/v1'

/** FieldError is one entry of a problem's errors list. */
export interface FieldError {
  field: string
  message: string
  /** location names the line or item of an uploaded file (imports). */
  location?: string
}

/** ApiError carries a problem+json answer: stable code, Chinese title/detail and field errors. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string
  readonly errors: FieldError[]

  constructor(status: number, code: string, title: string, detail: string, errors: FieldError[] = []) {
    super(detail || title || code)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.title = title
    this.detail = detail
    this.errors = errors
  }

  /** fields maps a field name to its message (the first one when a field has several). */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.errors) if (!(e.field in out)) out[e.field] = e.message
    return out
  }

  /** isNetwork tells whether the request never reached the server. */
  get isNetwork(): boolean {
    return this.status === 0
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  query?: Record<string, string | number | boolean | undefined | null>
  body?: unknown
  form?: FormData
  headers?: Record<string, string>
  /** silent: do not show the error message to the user (the caller handles it). */
  silent?: boolean
  /** auth: false sends no token and never refreshes (login, public pages). */
  auth?: boolean
  /** responseType: how to read a successful body. */
  responseType?: 'json' | 'blob' | 'text'
}

type Notifier = (err: ApiError) => void
type AuthFailure = () => void

const hooks: { notify: Notifier; authFailure: AuthFailure; sessionChanged: (t: Tokens) => void } = {
  notify: () => {},
  authFailure: () => {},
  sessionChanged: () => {},
}

/** setErrorNotifier installs what shows an error to the user (ElMessage in the app). */
export function setErrorNotifier(fn: Notifier): void {
  hooks.notify = fn
}

/** setAuthFailureHandler installs what happens when the session cannot be refreshed. */
export function setAuthFailureHandler(fn: AuthFailure): void {
  hooks.authFailure = fn
}

/** setSessionListener is told about new tokens after a refresh. */
export function setSessionListener(fn: (t: Tokens) => void): void {
  hooks.sessionChanged = fn
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  let url = path.startsWith('/api/') ? path : API_BASE + path
  if (query) {
    const p = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') p.set(k, String(v))
    }
    const s = p.toString()
    if (s) url += (url.includes('?') ? '&' : '?') + s
  }
  return url
}

async function toApiError(res: Response): Promise<ApiError> {
  const type = res.headers.get('content-type') || ''
  if (type.includes('json')) {
    try {
      const p = (await res.json()) as Partial<{ title: string; detail: string; code: string; errors: FieldError[] }>
      return new ApiError(res.status, p.code || `http_${res.status}`, p.title || '', p.detail || p.title || `请求失败（${res.status}）`, p.errors || [])
    } catch {
      /* fall through */
    }
  }
  return new ApiError(res.status, `http_${res.status}`, '请求失败', `请求失败（${res.status}）`)
}

let refreshing: Promise<boolean> | null = null

/** refreshSession exchanges the refresh token for new tokens once; concurrent callers share it. */
export function refreshSession(): Promise<boolean> {
  if (refreshing) return refreshing
  refreshing = (async () => {
    const s = loadSession()
    if (!s?.refreshToken) return false
    try {
      const res = await fetch(buildUrl('/auth/refresh'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refreshToken: s.refreshToken }),
      })
      if (!res.ok) return false
      const t = (await res.json()) as Tokens
      saveSession(t)
      hooks.sessionChanged(t)
      return true
    } catch {
      return false
    }
  })().finally(() => {
    refreshing = null
  })
  return refreshing
}

async function send(path: string, o: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...(o.headers || {}) }
  let body: BodyInit | undefined
  if (o.form) body = o.form
  else if (o.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(o.body)
  }
  if (o.auth !== false) {
    const s = loadSession()
    if (s?.accessToken) headers.Authorization = `Bearer ${s.accessToken}`
  }
  try {
    return await fetch(buildUrl(path, o.query), { method: o.method || 'GET', headers, body })
  } catch {
    throw new ApiError(0, 'network_error', '网络错误', '网络连接失败，请检查网络后重试')
  }
}

/** request sends one API call and returns the parsed body (undefined for 204). */
export async function request<T = unknown>(path: string, o: RequestOptions = {}): Promise<T> {
  try {
    let res = await send(path, o)
    if (res.status === 401 && o.auth !== false) {
      if (await refreshSession()) res = await send(path, o)
      if (res.status === 401) {
        const err = await toApiError(res)
        clearSession()
        hooks.authFailure()
        throw err
      }
    }
    if (!res.ok) throw await toApiError(res)
    if (res.status === 204) return undefined as T
    if (o.responseType === 'blob') return (await res.blob()) as T
    if (o.responseType === 'text') return (await res.text()) as T
    const text = await res.text()
    return (text ? JSON.parse(text) : undefined) as T
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(0, 'network_error', '网络错误', '网络连接失败，请检查网络后重试')
    if (!o.silent) hooks.notify(err)
    throw err
  }
}

export const http = {
  get: <T>(path: string, query?: RequestOptions['query'], o: RequestOptions = {}) => request<T>(path, { ...o, method: 'GET', query }),
  post: <T>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>(path, { ...o, method: 'POST', body }),
  put: <T>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>(path, { ...o, method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>(path, { ...o, method: 'PATCH', body }),
  del: <T>(path: string, o: RequestOptions = {}) => request<T>(path, { ...o, method: 'DELETE' }),
}

/** Page is the server's list envelope. */
export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

/** download fetches a protected file with the token and saves it under name. */
export async function download(path: string, name: string, query?: RequestOptions['query']): Promise<void> {
  saveBlob(await request<Blob>(path, { query, responseType: 'blob' }), name)
}

/** saveBlob offers a file the page already holds (e.g. a generated workbook) for saving. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}
