package cert

import (
	"strings"

	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

// Status is the standing of a certificate. Valid, Suspended and Revoked are stored; Expired is
// derived: a valid or suspended certificate read after its expiry date reads as expired.
type Status string

// The statuses.
const (
	Valid     Status = "valid"     // 有效
	Expired   Status = "expired"   // 已过期
	Suspended Status = "suspended" // 暂停
	Revoked   Status = "revoked"   // 已撤销
)

// StatusNames are the Chinese names of the statuses.
var StatusNames = map[Status]string{Valid: "有效", Expired: "已过期", Suspended: "暂停使用", Revoked: "已撤销"}

// EffectiveStatus is the status a certificate reads as on asOf. The expiry date is the last day
// of validity: on expiresOn the certificate is still valid, from the next day it is expired.
// Revoked wins over expired (the revocation and its reason stay visible); expired wins over
// suspended (a suspension ends with the certificate anyway).
func EffectiveStatus(stored Status, expiresOn, asOf civil.Date) Status {
	if stored == Revoked {
		return Revoked
	}
	if asOf.After(expiresOn) {
		return Expired
	}
	return stored
}

// Action is a status change a personnel office may make.
type Action string

// The actions.
const (
	Revoke    Action = "revoke"    // 撤销
	Suspend   Action = "suspend"   // 暂停
	Reinstate Action = "reinstate" // 恢复
)

// ActionNames are the Chinese names of the actions.
var ActionNames = map[Action]string{Revoke: "撤销", Suspend: "暂停", Reinstate: "恢复"}

// Transition returns the stored status after action on a certificate whose stored status is
// from. Revoking works from valid or suspended; suspending from valid; reinstating from suspended
// or revoked (a revocation made in error), and never changes the number. Expiry does not block
// a change: an expired certificate may still be revoked. Errors: unknown_action,
// status_transition_invalid.
func Transition(from Status, action Action) (Status, error) {
	var to Status
	ok := false
	switch action {
	case Revoke:
		to, ok = Revoked, from == Valid || from == Suspended
	case Suspend:
		to, ok = Suspended, from == Valid
	case Reinstate:
		to, ok = Valid, from == Suspended || from == Revoked
	default:
		return "", apperr.New(apperr.Invalid, "unknown_action", "未知的证书状态操作")
	}
	if !ok {
		return "", apperr.New(apperr.FailedPrecondition, "status_transition_invalid",
			"证书当前状态为“"+StatusNames[from]+"”，不能"+ActionNames[action])
	}
	return to, nil
}

// compoundSurnames are the common two-character surnames (复姓).
var compoundSurnames = strings.Fields(`欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 宇文 司徒 司空 夏侯 轩辕
	端木 独孤 南宫 西门 百里 呼延 万俟 澹台 公冶 太史 申屠 闻人 赫连 钟离 濮阳 淳于 单于 第五 东郭 拓跋 左丘 梁丘 谷梁 乐正`)

// MaskName masks a holder's name for public display: the surname (one character, or two for a
// compound surname) and, when the given name has two or more characters, its last character stay
// visible; every other character becomes '*'. "张三" -> "张*", "张三明" -> "张*明", "欧阳修" ->
// "欧阳*", "欧阳晓明" -> "欧阳*明", "司马相如" -> "司马*如", "买买提·艾力" -> "买****力".
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) <= 1 {
		return "*"
	}
	keep := 1
	if len(r) >= 3 {
		for _, s := range compoundSurnames {
			if strings.HasPrefix(string(r), s) {
				keep = 2
				break
			}
		}
	}
	given := len(r) - keep
	out := make([]rune, 0, len(r))
	out = append(out, r[:keep]...)
	if given == 1 {
		return string(out) + "*"
	}
	for i := keep; i < len(r)-1; i++ {
		out = append(out, '*')
	}
	return string(append(out, r[len(r)-1]))
}
