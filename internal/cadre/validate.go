package cadre

import (
	"strings"
	"unicode"

	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

// earliestDate bounds every date a personnel file may hold.
var earliestDate = civil.New(1920, 1, 1)

// normalize trims the text fields and fills defaults (rank category "general" when a rank code
// is given without one).
func normalize(c *Cadre) {
	c.Code, c.Name, c.Ethnicity = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name), strings.TrimSpace(c.Ethnicity)
	c.CurrentPost, c.PostLevel, c.PostCategory = strings.TrimSpace(c.CurrentPost), strings.TrimSpace(c.PostLevel), strings.TrimSpace(c.PostCategory)
	c.RankCategory, c.RankCode = strings.TrimSpace(c.RankCategory), strings.TrimSpace(c.RankCode)
	if c.RankCode != "" && c.RankCategory == "" {
		c.RankCategory = DefaultRankCategory
	}
	if c.RankCode == "" {
		c.RankCategory = ""
	}
}

// DefaultRankCategory is the rank category assumed when none is given (综合管理类).
const DefaultRankCategory = "general"

func validCode(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// validateCadre checks a cadre's own fields against the ladder and today's date. Field names
// are the JSON names of the API; the roster import maps them to its column headers.
func validateCadre(l *Ladder, c Cadre, today civil.Date) []apperr.FieldError {
	var fe []apperr.FieldError
	add := func(field, msg string) { fe = append(fe, apperr.FieldError{Field: field, Message: msg}) }
	if !validCode(c.Code) {
		add("code", "干部编号必填，不超过 32 个字符，不含空白")
	}
	if c.Name == "" || len([]rune(c.Name)) > 50 {
		add("name", "姓名必填，不超过 50 字")
	}
	if _, ok := GenderNames[c.Gender]; !ok {
		add("gender", "性别应为男或女")
	}
	if c.BirthDate.IsZero() {
		add("birthDate", "出生日期必填")
	} else if c.BirthDate.Before(earliestDate) || c.BirthDate.After(today.AddYears(-16)) {
		add("birthDate", "出生日期不合理（应早于 16 年前）")
	}
	if len([]rune(c.Ethnicity)) > 20 {
		add("ethnicity", "民族不超过 20 字")
	}
	if _, ok := EducationNames[c.Education]; !ok {
		add("education", "学历应为博士研究生、硕士研究生、大学本科、大学专科、中专/高中或初中及以下")
	}
	if c.WorkStartDate.IsZero() {
		add("workStartDate", "参加工作时间必填")
	} else if c.WorkStartDate.After(today) {
		add("workStartDate", "参加工作时间不能晚于今天")
	} else if !c.BirthDate.IsZero() && c.WorkStartDate.Before(c.BirthDate.AddYears(15)) {
		add("workStartDate", "参加工作时间应在年满 15 周岁之后")
	}
	if !c.PartyJoinDate.IsZero() {
		if c.PartyJoinDate.After(today) {
			add("partyJoinDate", "入党时间不能晚于今天")
		} else if !c.BirthDate.IsZero() && c.PartyJoinDate.Before(c.BirthDate.AddYears(18)) {
			add("partyJoinDate", "入党时间应在年满 18 周岁之后")
		}
	}
	if len([]rune(c.CurrentPost)) > 100 {
		add("currentPost", "现任职务不超过 100 字")
	}
	if c.PostLevel != "" {
		if _, ok := l.LevelByCode(c.PostLevel); !ok {
			add("postLevel", "职务层次不存在")
		}
	}
	if c.RankCode != "" {
		if _, ok := l.RankByCode(c.RankCategory, c.RankCode); !ok {
			add("rank", "职级不存在")
		}
	}
	if _, ok := l.CategoryByCode(c.PostCategory); !ok {
		add("postCategory", "职务类别应为党政领导、行政管理或党群组织管理")
	}
	if !c.TermStart.IsZero() && c.TermStart.After(today) {
		add("termStart", "任职时间不能晚于今天")
	}
	if !c.TermEnd.IsZero() && !c.TermStart.IsZero() && c.TermEnd.Before(c.TermStart) {
		add("termEnd", "任期届满时间不能早于任职时间")
	}
	return fe
}

// normalizePost trims a post record and fills defaults.
func normalizePost(p *PostRecord) {
	p.Title, p.UnitName = strings.TrimSpace(p.Title), strings.TrimSpace(p.UnitName)
	p.PostLevel, p.PostCategory = strings.TrimSpace(p.PostLevel), strings.TrimSpace(p.PostCategory)
	p.RankCategory, p.RankCode = strings.TrimSpace(p.RankCategory), strings.TrimSpace(p.RankCode)
	if p.RankCode != "" && p.RankCategory == "" {
		p.RankCategory = DefaultRankCategory
	}
	if p.RankCode == "" {
		p.RankCategory = ""
	}
	if p.AppointmentType == "" {
		p.AppointmentType = Appointment
	}
}

// validatePost checks one post record.
func validatePost(l *Ladder, p PostRecord, today civil.Date) []apperr.FieldError {
	var fe []apperr.FieldError
	add := func(field, msg string) { fe = append(fe, apperr.FieldError{Field: field, Message: msg}) }
	if p.Title == "" || len([]rune(p.Title)) > 100 {
		add("title", "职务名称必填，不超过 100 字")
	}
	if p.PostLevel != "" {
		if _, ok := l.LevelByCode(p.PostLevel); !ok {
			add("postLevel", "职务层次不存在")
		}
	}
	if p.RankCode != "" {
		if _, ok := l.RankByCode(p.RankCategory, p.RankCode); !ok {
			add("rank", "职级不存在")
		}
	}
	if _, ok := l.CategoryByCode(p.PostCategory); !ok {
		add("postCategory", "职务类别应为党政领导、行政管理或党群组织管理")
	}
	if len([]rune(p.UnitName)) > 100 {
		add("unitName", "单位名称不超过 100 字")
	}
	if p.Start.IsZero() {
		add("startDate", "任职时间必填")
	} else if p.Start.Before(earliestDate) || p.Start.After(today) {
		add("startDate", "任职时间不合理（不能晚于今天）")
	}
	if !p.End.IsZero() && !p.Start.IsZero() && p.End.Before(p.Start) {
		add("endDate", "免职时间不能早于任职时间")
	}
	if !p.ProbationEnd.IsZero() && !p.Start.IsZero() && !p.ProbationEnd.After(p.Start) {
		add("probationEnd", "试用期满时间应晚于任职时间")
	}
	if _, ok := AppointmentTypeNames[p.AppointmentType]; !ok {
		add("appointmentType", "任用方式应为 election、appointment、examination 或 engagement")
	}
	return fe
}
