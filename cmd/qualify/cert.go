package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"qualify/internal/cert"
	"qualify/internal/config"
	"qualify/internal/identity"
	"qualify/internal/platform/signing"
)

// certVerifyCmd checks a certificate credential offline against a saved JWKS (for example the
// answer of GET /api/v1/public/keys saved to a file): exit 0 and the fields when it verifies,
// exit 1 and the reason otherwise, exit 2 on wrong usage. It needs no database or configuration.
func certVerifyCmd(args []string, stdout, stderr io.Writer) int {
	tok, args, err1 := takeFlag(args, "jws")
	keys, args, err2 := takeFlag(args, "keys")
	if err1 != nil || err2 != nil || tok == "" || keys == "" || len(args) > 0 {
		fmt.Fprintln(stderr, "用法: qualify cert verify --jws TOKEN --keys JWKS文件")
		return 2
	}
	if tok == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(stderr, "无法读取凭证:", err)
			return 1
		}
		tok = strings.TrimSpace(string(b))
	}
	b, err := os.ReadFile(keys)
	if err != nil {
		fmt.Fprintln(stdout, "验证失败：无法读取密钥集文件:", err)
		return 1
	}
	var set signing.JWKS
	if err := json.Unmarshal(b, &set); err != nil || len(set.Keys) == 0 {
		fmt.Fprintln(stdout, "验证失败：密钥集文件不是有效的 JWKS（应为 {\"keys\": [...]}）")
		return 1
	}
	f, err := cert.VerifyCredential(tok, set)
	if err != nil {
		fmt.Fprintln(stdout, "验证失败："+err.Error())
		return 1
	}
	fmt.Fprintln(stdout, "验证通过：签名有效（证书当前状态请以公开查验结果为准）")
	for _, l := range [][2]string{
		{"证书编号 number", f.Number}, {"持证人 holderName", f.HolderName}, {"干部 cadreId", fmt.Sprint(f.CadreID)},
		{"科目 subject", f.SubjectCode + " " + f.SubjectName}, {"发证日期 issuedOn", f.IssuedOn.String()},
		{"有效期至 expiresOn", f.ExpiresOn.String()}, {"发证机关 issuer", f.Issuer}, {"成绩 score", fmt.Sprint(f.Score)},
		{"答卷哈希 attemptHash", f.AttemptHash}, {"签名密钥 kid", f.KeyID},
	} {
		fmt.Fprintf(stdout, "  %-22s %s\n", l[0], l[1])
	}
	return 0
}

// certCmd runs the certificate subcommands that need the database: rotate-key.
func certCmd(ctx context.Context, cfg config.Config, logger *slog.Logger, sub string, stdout, stderr io.Writer) int {
	if sub != "rotate-key" {
		fmt.Fprintln(stderr, "用法: qualify cert verify --jws TOKEN --keys FILE | qualify cert rotate-key")
		return 2
	}
	a, closeApp, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer closeApp()
	k, err := a.Certs.RotateKey(ctx, identity.Principal{Username: "system"})
	if err != nil {
		fmt.Fprintln(stderr, "密钥轮换失败:", err)
		return 1
	}
	fmt.Fprintf(stdout, "已生成并发布新的证书签名密钥 %s（%s）；旧公钥继续发布，旧证书仍可验证\n", k.Kid, k.Alg)
	return 0
}
