// Cancelling a session: a confirm dialog, then DELETE /sessions/{id}; the refusal (a session
// already held or with attendance) is shown as a message.
import { ElMessage, ElMessageBox } from 'element-plus'
import { ApiError } from '@/api/http'
import { schoolApi, type ClassSession } from '@/api/school'
import { describeSession } from '@/school/conflicts'
import { useSchoolStore } from '@/stores/school'

type T = (key: string, named?: Record<string, unknown>) => string

/** confirmCancelSession asks, cancels and drops the session from the store; true when cancelled. */
export async function confirmCancelSession(s: ClassSession, t: T): Promise<boolean> {
  const store = useSchoolStore()
  const named = store.withNames(s)
  const ok = await ElMessageBox.confirm(t('school.cancelConfirm', { s: describeSession(named) }), t('school.cancelSession'), {
    type: 'warning', confirmButtonText: t('school.cancelSession'), cancelButtonText: t('school.keepSession'),
  }).then(() => true, () => false)
  if (!ok) return false
  try {
    await schoolApi.cancelSession(s.id)
  } catch (e) {
    ElMessage.error(e instanceof ApiError ? e.detail : String(e))
    return false
  }
  store.removeSession(s.id)
  ElMessage.success(t('school.cancelled', { s: describeSession(named) }))
  return true
}
