import { reactive } from 'vue'
import { ApiError } from '@/api/http'

/** useFieldErrors keeps the server's field errors for a form: bind :error="errors.name". */
export function useFieldErrors() {
  const errors = reactive<Record<string, string>>({})
  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }
  /** take copies the field errors of err (if any); it returns whether there were some. */
  function take(err: unknown): boolean {
    clear()
    if (err instanceof ApiError && err.errors.length) {
      Object.assign(errors, err.fields)
      return true
    }
    return false
  }
  return { errors, clear, take }
}
