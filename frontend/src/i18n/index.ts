import { createI18n } from 'vue-i18n'
import { messages, type Tree } from './messages'

type Plain = { [k: string]: string | Plain }

function pick(t: Tree, i: 0 | 1): Plain {
  const out: Plain = {}
  for (const [k, v] of Object.entries(t)) out[k] = Array.isArray(v) ? v[i] : pick(v, i)
  return out
}

export const LOCALE_KEY = 'qualify.locale'
export type Locale = 'zh-CN' | 'en'

export const zhCN = pick(messages, 0)
export const en = pick(messages, 1)

function initial(): Locale {
  try {
    return localStorage.getItem(LOCALE_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l
  localStorage.setItem(LOCALE_KEY, l)
  document.documentElement.lang = l
}
