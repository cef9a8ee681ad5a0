import type { Directive } from 'vue'
import { useAuthStore } from '@/stores/auth'

/** v-perm="'exam:exam:publish'" (or an array: any of them) removes the element when not permitted. */
export const vPerm: Directive<HTMLElement, string | string[]> = {
  mounted(el, binding) {
    if (!useAuthStore().can(binding.value)) el.parentNode?.removeChild(el)
  },
}
