package cert

import (
	"bytes"
	"fmt"
	"os"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// FontCandidates are the TrueType fonts with Chinese glyphs tried when no font is configured, in
// order. The first comes from the Debian package fonts-arphic-gbsn00lp (AR PL SungtiL GB, a Song
// typeface, which the project installs); the second from fonts-droid-fallback.
var FontCandidates = []string{
	"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}

// loadFont reads the configured font, or the first candidate that exists, once.
func (s *Service) loadFont() ([]byte, error) {
	s.fontMu.Lock()
	defer s.fontMu.Unlock()
	if s.font != nil {
		return s.font, nil
	}
	paths := FontCandidates
	if s.cfg.FontPath != "" {
		paths = []string{s.cfg.FontPath}
	}
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			s.font = b
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: tried %v", ErrFontMissing, paths)
}

// Document is what the certificate PDF shows.
type Document struct {
	Certificate Certificate
	Status      Status
	VerifyURL   string
	Font        []byte // TrueType with Chinese glyphs
}

// Render draws the certificate on one A4 page: title, holder, subject, number, dates, issuer,
// status when not valid, and a QR code of the verification page. The text is real text in an
// embedded (subset) font, so it can be extracted and searched.
func Render(d Document) ([]byte, error) {
	c := d.Certificate
	p := fpdf.New("P", "mm", "A4", "")
	p.SetTitle("任职资格证书 "+c.Number, true)
	p.SetAuthor(c.Issuer, true)
	p.SetCreator("Qualify", false)
	p.AddUTF8FontFromBytes("cjk", "", d.Font)
	if err := p.Error(); err != nil {
		return nil, err
	}
	p.SetAutoPageBreak(false, 0)
	p.AddPage()
	// A double frame in Party red.
	p.SetDrawColor(176, 28, 28)
	p.SetLineWidth(1.2)
	p.Rect(12, 12, 186, 273, "D")
	p.SetLineWidth(0.4)
	p.Rect(16, 16, 178, 265, "D")

	p.SetTextColor(176, 28, 28)
	p.SetFont("cjk", "", 30)
	p.SetXY(16, 40)
	p.CellFormat(178, 16, "任职资格证书", "", 1, "C", false, 0, "")
	p.SetFont("cjk", "", 11)
	p.SetTextColor(90, 90, 90)
	p.SetX(16)
	p.CellFormat(178, 7, "QUALIFICATION CERTIFICATE", "", 1, "C", false, 0, "")

	p.SetTextColor(20, 20, 20)
	p.SetFont("cjk", "", 15)
	p.SetXY(30, 80)
	body := fmt.Sprintf("%s同志于 %d年%d月%d日 参加任职资格考试，“%s”科目成绩合格，特发此证。",
		c.HolderName, c.IssuedOn.Year, int(c.IssuedOn.Month), c.IssuedOn.Day, c.SubjectName)
	p.MultiCell(150, 10, body, "", "L", false)

	rows := [][2]string{
		{"持证人", c.HolderName},
		{"考试科目", c.SubjectName},
		{"证书编号", c.Number},
		{"发证日期", c.IssuedOn.String()},
		{"有效期至", c.ExpiresOn.String()},
		{"发证机关", c.Issuer},
	}
	if d.Status != Valid && d.Status != "" {
		rows = append(rows, [2]string{"证书状态", StatusNames[d.Status]})
	}
	y := 125.0
	for _, r := range rows {
		p.SetXY(34, y)
		p.SetFont("cjk", "", 13)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(32, 9, r[0], "", 0, "L", false, 0, "")
		p.SetTextColor(20, 20, 20)
		p.SetFont("cjk", "", 14)
		p.CellFormat(110, 9, r[1], "B", 0, "L", false, 0, "")
		y += 13
	}

	png, err := qrcode.Encode(d.VerifyURL, qrcode.Medium, 320)
	if err != nil {
		return nil, err
	}
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	p.RegisterImageOptionsReader("qr", opt, bytes.NewReader(png))
	p.ImageOptions("qr", 34, 222, 38, 38, false, opt, 0, "")
	p.SetFont("cjk", "", 10)
	p.SetTextColor(90, 90, 90)
	p.SetXY(76, 230)
	p.MultiCell(110, 6, "扫描二维码或访问本系统“证书查验”页面，输入证书编号与持证人姓名，即可查验本证书的真伪与当前状态。", "", "L", false)
	p.SetXY(76, 250)
	p.SetFont("cjk", "", 12)
	p.SetTextColor(176, 28, 28)
	p.CellFormat(110, 8, c.Issuer+"（印）", "", 0, "R", false, 0, "")

	var out bytes.Buffer
	if err := p.Output(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
