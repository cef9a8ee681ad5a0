import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { authApi } from '@/api/auth'
import { clearSession, loadSession, saveSession, type Tokens, type User } from '@/utils/tokens'
import { permissionsOf } from '@/permissions'

/** useAuthStore holds the signed-in user, their roles and permissions. */
export const useAuthStore = defineStore('auth', () => {
  const session = loadSession()
  const user = ref<User | null>(session?.user ?? null)
  const token = ref<string | null>(session?.accessToken ?? null)

  const isLoggedIn = computed(() => !!token.value && !!user.value)
  const roles = computed(() => user.value?.roles ?? [])
  const permissions = computed(() => permissionsOf(roles.value))

  function hasRole(...r: string[]): boolean {
    return r.some((x) => roles.value.includes(x))
  }

  /** can tells whether the user holds a permission code (any of several). */
  function can(perm: string | string[]): boolean {
    const list = Array.isArray(perm) ? perm : [perm]
    return list.some((p) => permissions.value.has(p))
  }

  function adopt(t: Tokens): void {
    saveSession(t)
    user.value = t.user
    token.value = t.accessToken
  }

  async function login(username: string, password: string): Promise<User> {
    const t = await authApi.login(username, password)
    adopt(t)
    return t.user
  }

  /** reset forgets the session locally (after a failed refresh or a logout). */
  function reset(): void {
    clearSession()
    user.value = null
    token.value = null
  }

  async function logout(): Promise<void> {
    try {
      if (token.value) await authApi.logout()
    } catch {
      /* the local session is dropped either way */
    }
    reset()
  }

  async function fetchMe(): Promise<User> {
    const u = await authApi.me()
    user.value = u
    const s = loadSession()
    if (s) saveSession({ ...s, user: u })
    return u
  }

  return { user, token, isLoggedIn, roles, permissions, hasRole, can, login, logout, reset, fetchMe, adopt }
})
