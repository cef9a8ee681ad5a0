package eligibility

import (
	"sort"
	"time"

	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/platform/civil"
)

// ComplianceKind selects a compliance list.
type ComplianceKind string

// The lists.
const (
	Overdue  ComplianceKind = "overdue"  // 取证期限已过仍未取得
	Due30    ComplianceKind = "due30"    // 30 天内到期限
	Due90    ComplianceKind = "due90"    // 90 天内到期限
	Expiring ComplianceKind = "expiring" // 所需证书将在预警期内到期
)

// ComplianceKindNames are the Chinese names of the lists.
var ComplianceKindNames = map[ComplianceKind]string{Overdue: "逾期未取得任职资格证书", Due30: "30日内须取得任职资格证书",
	Due90: "90日内须取得任职资格证书", Expiring: "任职资格证书即将到期"}

// ValidComplianceKind reports whether k is a known list.
func ValidComplianceKind(k ComplianceKind) bool { _, ok := ComplianceKindNames[k]; return ok }

// ComplianceItem is one line of a compliance list: a cadre in post and a certificate they must
// hold, with the day by which they must hold it (or on which the one they hold expires).
type ComplianceItem struct {
	Cadre             cadre.Cadre
	SubjectCode       string
	SubjectName       string
	Deadline          civil.Date
	DaysLeft          int // negative when overdue
	CertificateNumber string
	Detail            string
}

// CertificateDeadline is the last day by which a cadre who took up the post on termStart must
// hold the post's certificates: the day before termStart plus months.
func CertificateDeadline(termStart civil.Date, months int) civil.Date {
	return civil.Of(termStart.Time().AddDate(0, months, 0)).AddDays(-1)
}

// Compliance lists, for the cadres in post, the required certificates (by the matrix row of their
// post category and level) that match kind on asOf: missing past the deadline (overdue), missing
// with the deadline within 30 or 90 days, or held but expiring within the row's warning days.
// certs holds each cadre's certificates by cadre ID. It is pure; items are sorted by deadline.
func Compliance(kind ComplianceKind, cadres []cadre.Cadre, certs map[int64][]cert.Certificate, matrix []Requirement, asOf civil.Date) []ComplianceItem {
	rows := map[[2]string]Requirement{}
	for _, m := range matrix {
		rows[[2]string{m.PostCategory, m.TargetLevel}] = m
	}
	var out []ComplianceItem
	for _, c := range cadres {
		m, ok := rows[[2]string{c.PostCategory, c.PostLevel}]
		if !ok || c.PostLevel == "" {
			continue
		}
		for _, subj := range m.Certificates {
			best := validCertificate(certs[c.ID], subj, asOf)
			it := ComplianceItem{Cadre: c, SubjectCode: subj, SubjectName: subjectName(subj)}
			if best != nil {
				warn := m.ExpiryWarningDays
				if warn <= 0 {
					warn = 90
				}
				left := asOf.DaysUntil(best.ExpiresOn)
				if kind == Expiring && left <= warn {
					it.Deadline, it.DaysLeft, it.CertificateNumber = best.ExpiresOn, left, best.Number
					it.Detail = it.SubjectName + "资格证书将于" + best.ExpiresOn.String() + "到期"
					out = append(out, it)
				}
				continue
			}
			if kind == Expiring || c.TermStart.IsZero() || m.CertificateDeadlineMonths <= 0 {
				continue
			}
			dl := CertificateDeadline(c.TermStart, m.CertificateDeadlineMonths)
			left := asOf.DaysUntil(dl)
			it.Deadline, it.DaysLeft = dl, left
			switch {
			case kind == Overdue && left < 0:
				it.Detail = "任现职（" + c.TermStart.String() + "）后应于" + dl.String() + "前取得" + it.SubjectName + "资格证书，已逾期"
			case (kind == Due30 && left >= 0 && left <= 30) || (kind == Due90 && left >= 0 && left <= 90):
				it.Detail = "须于" + dl.String() + "前取得" + it.SubjectName + "资格证书"
			default:
				continue
			}
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Deadline != out[j].Deadline {
			return out[i].Deadline.Before(out[j].Deadline)
		}
		return out[i].Cadre.ID < out[j].Cadre.ID
	})
	return out
}

func validCertificate(certs []cert.Certificate, subj string, asOf civil.Date) *cert.Certificate {
	var best *cert.Certificate
	for i := range certs {
		c := &certs[i]
		if c.SubjectCode == subj && !c.IssuedOn.After(asOf) && c.StatusOn(asOf) == cert.Valid && (best == nil || c.ExpiresOn.After(best.ExpiresOn)) {
			best = c
		}
	}
	return best
}

// ComplianceAction is a decision a personnel office records on a cadre who does not comply
// (待岗、降级、免职 …). The system never takes such a decision itself.
type ComplianceAction struct {
	ID         int64
	CadreID    int64
	Action     string
	Note       string
	DocumentNo string
	CreatedAt  time.Time
	CreatedBy  string
}

// ComplianceActions are the decisions that may be recorded.
var ComplianceActions = []string{"待岗", "降级", "免职", "其他"}
