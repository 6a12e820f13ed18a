package io.github.alpa4j.engine.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.cli.MainTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of report, made by the CLI as a user would, opened from disk in headless Chromium (Debian's
 * package; ./test.sh installs it where it can): it loads without a console error, every chart it holds
 * has drawn (the page's script counts them), and a screenshot is taken (target/report-screenshots).
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReportBrowserTest {
    static final String[] SMALL_GPT = {"--layers", "2", "--hidden", "32", "--heads", "2", "--seq", "16", "--vocab", "16", "--batch", "8"};
    static Path chromium;

    @BeforeAll
    static void findChromium() {
        chromium = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser").map(Path::of).filter(Files::isExecutable).findFirst()
                .orElse(null);
    }

    static Stream<Arguments> reports() {
        // the Perseus authors' profile as the repository keeps it (a clone need not have ../shared beside it)
        String perseus = Path.of(System.getProperty("user.dir")).resolveSibling("energy-monitor/src/test/resources/perseus/"
                + "a100sxm_gpt3-175b_8stage_profile.csv").toString();
        return Stream.of(
                Arguments.of("train-pipeline", join(new String[] {"train", "--plan", "megatron:dp=1,tp=2,pp=2", "--mesh", "2x2",
                        "--microbatches", "4", "--steps", "4", "--no-progress"}, SMALL_GPT)),
                Arguments.of("train-mesh", join(new String[] {"train", "--plan", "megatron", "--mesh", "1x2", "--steps", "4",
                        "--no-progress"}, SMALL_GPT)),
                Arguments.of("plan-mesh", join(new String[] {"plan", "--model", "gpt", "--mesh", "2x2"}, SMALL_GPT)),
                Arguments.of("plan-pipeline", join(new String[] {"plan", "--model", "gpt", "--pipeline", "--microbatches", "4", "--no-progress"},
                        SMALL_GPT)),
                Arguments.of("frontier", new String[] {"energy", "frontier", "--profile", perseus, "--stages", "8", "--microbatches", "12",
                        "--p-blocking", "83.64"}),
                Arguments.of("validate", new String[] {"validate", "--mesh", "1x2", "--steps", "3", "--cluster", "cpu-analytic"}));
    }

    private static String[] join(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reports")
    void aReportLoadsWithoutErrorsAndDrawsEveryChart(String name, String[] command, @TempDir Path dir) throws Exception {
        Path html = dir.resolve(name + ".html");
        String[] args = join(command, new String[] {"--report", html.toString()});
        MainTest.Run r = MainTest.run(args);
        assertThat(r.code()).as(r.err()).isZero();
        String page = Files.readString(html);
        // self-contained: no script, style, image or font fetched (SVG's xmlns URIs name namespaces, not files)
        assertThat(page).startsWith("<!DOCTYPE html>").doesNotContain("<script src", "<link ", "@import")
                .doesNotContainPattern("(src|href)=\"(https?:|//)").doesNotContainPattern("url\\((['\"])?https?:");
        int charts = count(page, "<div class=\"chart\">");
        assertThat(charts).isPositive();
        Assumptions.assumeTrue(chromium != null, "no chromium: install Debian's chromium package (./test.sh does where apt-get works)");
        Path shots = Path.of("target", "report-screenshots");
        Files.createDirectories(shots);
        Browser b = open(html, dir, shots.resolve(name + ".png"));
        assertThat(b.consoleErrors).as("console errors of %s", name).isEmpty();
        assertThat(b.dom).contains("data-charts=\"" + charts + "\"", "data-charts-drawn=\"" + charts + "\"");
        assertThat(Files.size(shots.resolve(name + ".png"))).isPositive();
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    record Browser(String dom, List<String> consoleErrors) {
    }

    /** The page's DOM after its scripts ran, the console errors Chromium logged, and a screenshot. */
    static Browser open(Path html, Path profile, Path screenshot) throws IOException, InterruptedException {
        List<String> flags = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=" + profile.resolve("chromium"), "--virtual-time-budget=5000");
        String dom = run(flags, "--dump-dom", html, profile.resolve("dom.log"));
        List<String> errors = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^.*(CONSOLE.*(?:Error|Uncaught).*|Uncaught .*)$").matcher(Files.readString(profile.resolve("dom.log")));
        while (m.find()) {
            errors.add(m.group());
        }
        run(flags, "--screenshot=" + screenshot.toAbsolutePath(), html, profile.resolve("shot.log"), "--window-size=1000,1800");
        return new Browser(dom, errors);
    }

    private static String run(List<String> flags, String action, Path html, Path log, String... more) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(chromium.toString());
        cmd.addAll(flags);
        cmd.addAll(List.of(more));
        cmd.add(action);
        cmd.add(html.toUri().toString());
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish " + action);
        }
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }
}
