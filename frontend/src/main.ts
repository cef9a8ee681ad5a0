import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus, { ElMessage } from 'element-plus'
import 'element-plus/dist/index.css'
import * as Icons from '@element-plus/icons-vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { vPerm } from './directives/perm'
import { setAuthFailureHandler, setErrorNotifier, setSessionListener } from './api/http'
import { useAuthStore } from './stores/auth'
import './styles.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router).use(ElementPlus)
for (const [name, comp] of Object.entries(Icons)) app.component(name, comp)
app.directive('perm', vPerm)

// Every server error shows its Chinese message; a session that cannot be refreshed signs out.
setErrorNotifier((err) => ElMessage.error({ message: err.detail || err.title, grouping: true }))
setSessionListener((t) => useAuthStore(pinia).adopt(t))
setAuthFailureHandler(() => {
  useAuthStore(pinia).reset()
  const here = router.currentRoute.value
  if (!here.meta.public) router.replace({ name: 'login', query: { redirect: here.fullPath, expired: '1' } })
})

app.mount('#app')
