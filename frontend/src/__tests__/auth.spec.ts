import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useAuthStore } from '@/stores/auth'
import { loadSession } from '@/utils/tokens'
import { homeOf } from '@/permissions'

const examadmin = { id: 4, username: 'examadmin', displayName: '考试管理员', roles: ['examadmin'], orgId: 1, cadreId: null }

describe('auth store', () => {
  let fetchMock: ReturnType<typeof vi.fn>
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('logs in, keeps the session and derives permissions from roles', async () => {
    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresIn: 900, user: examadmin }), { status: 200, headers: { 'Content-Type': 'application/json' } }))
    const auth = useAuthStore()
    await auth.login('examadmin', 'Qualify@2026')
    expect(JSON.parse(fetchMock.mock.calls[0][1].body)).toEqual({ username: 'examadmin', password: 'Qualify@2026' })
    expect(auth.isLoggedIn).toBe(true)
    expect(auth.hasRole('examadmin')).toBe(true)
    expect(auth.can('exam:exam:publish')).toBe(true)
    expect(auth.can('cert:certificate:revoke')).toBe(false)
    expect(auth.can(['cert:certificate:revoke', 'bank:question:read'])).toBe(true)
    expect(loadSession()?.accessToken).toBe('a')
    expect(homeOf(auth.roles)).toBe('/exams')
    // a new store (a reload) finds the session again
    setActivePinia(createPinia())
    expect(useAuthStore().user?.username).toBe('examadmin')
  })

  it('keeps nothing when the login is refused', async () => {
    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify({ status: 401, code: 'invalid_credentials', title: '未登录或登录已失效', detail: '用户名或密码错误' }), { status: 401, headers: { 'Content-Type': 'application/problem+json' } }))
    const auth = useAuthStore()
    await expect(auth.login('x', 'y')).rejects.toMatchObject({ code: 'invalid_credentials', detail: '用户名或密码错误' })
    expect(auth.isLoggedIn).toBe(false)
    expect(loadSession()).toBeNull()
  })

  it('logs out on the server and forgets the session', async () => {
    fetchMock
      .mockResolvedValueOnce(new Response(JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresIn: 900, user: examadmin }), { status: 200, headers: { 'Content-Type': 'application/json' } }))
      .mockResolvedValueOnce(new Response(null, { status: 204 }))
    const auth = useAuthStore()
    await auth.login('examadmin', 'p')
    await auth.logout()
    expect(fetchMock.mock.calls[1][0]).toBe('/api/v1/auth/logout')
    expect(fetchMock.mock.calls[1][1].headers.Authorization).toBe('Bearer a')
    expect(auth.isLoggedIn).toBe(false)
    expect(loadSession()).toBeNull()
  })

  it('fetchMe refreshes the user', async () => {
    const auth = useAuthStore()
    auth.adopt({ accessToken: 'a', refreshToken: 'r', expiresIn: 900, user: examadmin })
    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify({ ...examadmin, roles: ['examadmin', 'grader'] }), { status: 200, headers: { 'Content-Type': 'application/json' } }))
    await auth.fetchMe()
    expect(auth.roles).toEqual(['examadmin', 'grader'])
    expect(loadSession()?.user.roles).toEqual(['examadmin', 'grader'])
  })
})
