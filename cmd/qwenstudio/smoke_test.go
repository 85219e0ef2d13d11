package main

import (
	"context"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

// need skips the test when a tool is missing (fails under CI=true, where scripts/setup.sh installed it).
func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s not installed (scripts/setup.sh installs xvfb and imagemagick)", tool)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// session runs the app under xvfb-run until the log shows want (a regular expression), then takes an X-level
// screenshot (Fyne's own capture is blank under Xvfb), quits the app with SIGTERM and returns its log.
func session(t *testing.T, bin, shot string, want string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "app.log")
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	script := fmt.Sprintf(`
"%s" %s >"%s" 2>&1 &
app=$!
i=0
while [ $i -lt 1200 ]; do
	grep -Eq '%s' "%s" && break
	kill -0 $app 2>/dev/null || break
	sleep 0.1; i=$((i+1))
done
sleep 1.5
import -window root "%s"
kill -TERM $app
wait $app
echo "exit status $?" >>"%s"
`, bin, strings.Join(quoted, " "), logPath, want, logPath, shot, logPath)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xvfb-run", "-a", "-s", "-screen 0 1280x820x24", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "HF_HUB_CACHE="+filepath.Join(dir, "hf"),
		"LLAMA_CACHE="+filepath.Join(dir, "llama"), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	logText, _ := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("xvfb-run: %v\n%s\napp log:\n%s", err, out, logText)
	}
	if !regexp.MustCompile(want).Match(logText) {
		t.Fatalf("the app never logged %q; log:\n%s", want, logText)
	}
	if !strings.Contains(string(logText), "exit status 0") {
		t.Errorf("the app did not quit cleanly on SIGTERM; log:\n%s", logText)
	}
	return string(logText)
}

// notBlank checks a screenshot shows a drawn window: many colours, and the app's violet accent somewhere.
func notBlank(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	b := img.Bounds()
	colours := map[[3]uint32]bool{}
	violet := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if bl>>8 > 200 && r>>8 > 80 && r>>8 < 180 && g>>8 < 150 {
				violet++
			}
		}
	}
	if len(colours) < 50 {
		t.Errorf("screenshot %s has %d colours: blank or not drawn", path, len(colours))
	}
	if violet < 200 {
		t.Errorf("screenshot %s shows almost none of the app's violet (%d samples): the window is not there", path, violet)
	}
}

// TestSmoke starts the real app binary under Xvfb on a generated tiny model, sends a message, waits for the
// streamed answer and checks a screenshot; then relaunches it and finds the conversation and model again.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the app under Xvfb")
	}
	need(t, "xvfb-run", "import")
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "qwenstudio")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	shots := os.Getenv("QS_SCREENSHOT_DIR")
	if shots == "" {
		shots = dir
	}
	data := filepath.Join(dir, "data")

	shot := filepath.Join(shots, "smoke-answer.png")
	// First start: no model anywhere (HOME and the caches are empty), so the app generates the tiny demo
	// model, loads it, sends the message and streams the answer.
	log := session(t, bin, shot, "answer finished", "-data", data, "-send", "Hello! 你好")
	if !regexp.MustCompile(`msg="model loaded" path=\S+demo\S+\.gguf demo=true`).MatchString(log) {
		t.Errorf("the demo model was not generated and loaded; log:\n%s", log)
	}
	m := regexp.MustCompile(`answer finished"? status=(\w+) .*tokens=(\d+)`).FindStringSubmatch(log)
	if m == nil || m[1] != "done" || m[2] == "0" {
		t.Errorf("answer: %v\nlog:\n%s", m, log)
	}
	notBlank(t, shot)

	// Relaunch: the conversation is in the store (and reopened), the demo model is not generated again.
	shot2 := filepath.Join(shots, "smoke-relaunch.png")
	log = session(t, bin, shot2, "model loaded", "-data", data)
	if !regexp.MustCompile(`conversations in the store"? count=1`).MatchString(log) {
		t.Errorf("the conversation is not there after a relaunch; log:\n%s", log)
	}
	notBlank(t, shot2)

	// A model given on the command line is loaded and remembered as the active model.
	model := filepath.Join(dir, "tiny.gguf")
	o := tinymodel.Demo()
	o.Seed = 7
	if err := tinymodel.WriteGGUF(ctx, model, o); err != nil {
		t.Fatal(err)
	}
	session(t, bin, filepath.Join(dir, "model.png"), "model loaded", "-data", data, "-model", model)
	log = session(t, bin, filepath.Join(dir, "again.png"), "model loaded", "-data", data)
	if !strings.Contains(log, "path="+model+" demo=false") {
		t.Errorf("the active model was not loaded at the next start; log:\n%s", log)
	}
}
