import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, http, request, setAuthFailureHandler, setErrorNotifier } from '@/api/http'
import { loadSession, saveSession } from '@/utils/tokens'

const user = { id: 1, username: 'cadre001', displayName: '夏莹玲', roles: ['cadre'], orgId: 1, cadreId: 1 }

function json(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } })
}

function problem(status: number, code: string, detail: string, errors?: { field: string; message: string }[]): Response {
  return json(status, { type: `/problems/${code}`, title: '请求无效', status, detail, code, errors }, 'application/problem+json')
}

describe('request client', () => {
  let fetchMock: ReturnType<typeof vi.fn>
  const notified: ApiError[] = []
  let failures = 0

  beforeEach(() => {
    localStorage.clear()
    notified.length = 0
    failures = 0
    fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    setErrorNotifier((e) => notified.push(e))
    setAuthFailureHandler(() => failures++)
    saveSession({ accessToken: 'old-access', refreshToken: 'old-refresh', expiresIn: 900, user })
  })
  afterEach(() => vi.unstubAllGlobals())

  it('sends the Bearer token and parses JSON', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { ok: true }))
    const r = await http.get<{ ok: boolean }>('/me', { q: '张', page: 2, empty: '' })
    expect(r.ok).toBe(true)
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/v1/me?q=%E5%BC%A0&page=2')
    expect(init.headers.Authorization).toBe('Bearer old-access')
  })

  it('refreshes once on 401, rotates the tokens and retries', async () => {
    fetchMock
      .mockResolvedValueOnce(problem(401, 'token_expired', '登录已过期'))
      .mockResolvedValueOnce(json(200, { accessToken: 'new-access', refreshToken: 'new-refresh', expiresIn: 900, user }))
      .mockResolvedValueOnce(json(200, { id: 1 }))
    const r = await http.get<{ id: number }>('/me')
    expect(r.id).toBe(1)
    expect(fetchMock).toHaveBeenCalledTimes(3)
    const [refreshUrl, refreshInit] = fetchMock.mock.calls[1]
    expect(refreshUrl).toBe('/api/v1/auth/refresh')
    expect(JSON.parse(refreshInit.body)).toEqual({ refreshToken: 'old-refresh' })
    expect(fetchMock.mock.calls[2][1].headers.Authorization).toBe('Bearer new-access')
    expect(loadSession()?.refreshToken).toBe('new-refresh')
    expect(failures).toBe(0)
  })

  it('shares one refresh between concurrent 401s', async () => {
    fetchMock.mockImplementation(async (url: string, init: RequestInit) => {
      if (url === '/api/v1/auth/refresh') return json(200, { accessToken: 'new-access', refreshToken: 'new-refresh', expiresIn: 900, user })
      const auth = (init.headers as Record<string, string>).Authorization
      return auth === 'Bearer new-access' ? json(200, { ok: 1 }) : problem(401, 'token_expired', '登录已过期')
    })
    await Promise.all([http.get('/a'), http.get('/b'), http.get('/c')])
    expect(fetchMock.mock.calls.filter((c) => c[0] === '/api/v1/auth/refresh')).toHaveLength(1)
  })

  it('signs out when the refresh fails, without retrying again', async () => {
    fetchMock
      .mockResolvedValueOnce(problem(401, 'token_expired', '登录已过期'))
      .mockResolvedValueOnce(problem(401, 'refresh_invalid', '请重新登录'))
    await expect(http.get('/me')).rejects.toMatchObject({ status: 401 })
    expect(fetchMock).toHaveBeenCalledTimes(2)
    expect(failures).toBe(1)
    expect(loadSession()).toBeNull()
  })

  it('signs out when the retried request is still 401', async () => {
    fetchMock
      .mockResolvedValueOnce(problem(401, 'token_expired', '登录已过期'))
      .mockResolvedValueOnce(json(200, { accessToken: 'a2', refreshToken: 'r2', expiresIn: 900, user }))
      .mockResolvedValueOnce(problem(401, 'token_revoked', '会话已结束'))
    await expect(http.get('/me')).rejects.toBeInstanceOf(ApiError)
    expect(fetchMock).toHaveBeenCalledTimes(3)
    expect(failures).toBe(1)
  })

  it('maps problem+json to ApiError with code, Chinese detail and field errors, and notifies', async () => {
    fetchMock.mockResolvedValueOnce(problem(400, 'validation_failed', '请求参数校验未通过', [{ field: 'username', message: '必填' }, { field: 'password', message: '必填' }]))
    const err = await http.post('/users', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    const e = err as ApiError
    expect(e.status).toBe(400)
    expect(e.code).toBe('validation_failed')
    expect(e.detail).toBe('请求参数校验未通过')
    expect(e.fields).toEqual({ username: '必填', password: '必填' })
    expect(notified).toHaveLength(1)
    expect(notified[0].detail).toBe('请求参数校验未通过')
  })

  it('does not notify when silent, and reports network failures as status 0', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    const e = (await request('/x', { silent: true }).catch((x: unknown) => x)) as ApiError
    expect(e.isNetwork).toBe(true)
    expect(e.code).toBe('network_error')
    expect(notified).toHaveLength(0)
  })

  it('never refreshes for unauthenticated calls such as login', async () => {
    fetchMock.mockResolvedValueOnce(problem(401, 'invalid_credentials', '用户名或密码错误'))
    const e = (await request('/auth/login', { method: 'POST', body: {}, auth: false, silent: true }).catch((x: unknown) => x)) as ApiError
    expect(e.code).toBe('invalid_credentials')
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(fetchMock.mock.calls[0][1].headers.Authorization).toBeUndefined()
    expect(failures).toBe(0)
  })
})
