import type { Answer } from '@/api/exam'

/** isAnswered tells whether an answer counts as given for the navigator and the submit dialog. */
export function isAnswered(a: Answer | undefined): boolean {
  if (a === undefined || a === null) return false
  if (typeof a === 'boolean') return true
  if (typeof a === 'string') return a.trim() !== ''
  return a.some((x) => typeof x === 'string' && x.trim() !== '')
}
