package bank

import (
	"path"
	"strings"

	"qualify/internal/platform/apperr"
)

// formatParser returns the parser for a foreign format by file extension.
func formatParser(name string) (func(name string, data []byte, subject string, tax Taxonomy) ([]Item, Problems, Problems), bool) {
	switch strings.ToLower(path.Ext(name)) {
	case ".gift", ".txt":
		return ParseGIFT, true
	case ".xml":
		return ParseMoodleXML, true
	case ".zip":
		return ParseQTI, true
	case ".xlsx":
		return ParseXLSX, true
	}
	return nil, false
}

// exportAs writes items in a named format.
func exportAs(format, subject string, items []Item) ([]byte, string, string, error) {
	var (
		b    []byte
		err  error
		ext  string
		mime string
	)
	switch format {
	case "yaml", "":
		b, err = ExportYAML(subject, items)
		ext, mime = "yaml", "application/yaml; charset=utf-8"
	case "gift":
		b, err = ExportGIFT(items)
		ext, mime = "gift", "text/plain; charset=utf-8"
	case "moodlexml":
		b, err = ExportMoodleXML(items)
		ext, mime = "xml", "application/xml; charset=utf-8"
	case "qti":
		b, err = ExportQTI(items)
		ext, mime = "zip", "application/zip"
	case "xlsx":
		b, err = ExportXLSX(items)
		ext, mime = "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	default:
		return nil, "", "", apperr.InvalidFields("unsupported_format", "导出格式应为 yaml、gift、moodlexml、qti 或 xlsx",
			apperr.FieldError{Field: "format", Message: "不支持的格式 " + format})
	}
	if err != nil {
		return nil, "", "", apperr.Wrap(err, "export "+format)
	}
	return b, subject + "." + ext, mime, nil
}
