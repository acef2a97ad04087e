package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's curl tour ("## The API in five minutes") works as written: each command runs through bash
 * and curl against a fresh daemon, in order, and answers with the status and the fields its
 * {@code # -> 201 {...}} comment claims ({@code ...} stands for any value). A {@code # ->} line after a
 * comment of its own (not right after a command) claims what running the previous command again answers.
 * Commands without a claim must answer 2xx.
 */
class ReadmeExamplesTest {

    /** Printed by curl -w after the answer, then the status code. */
    private static final String STATUS = "\n--status ";

    private static final Pattern CLAIM = Pattern.compile("^# -> (\\d{3})(?:\\s+(\\{.*?\\}))?");
    private static final Pattern FIELD = Pattern.compile("\"([A-Za-z]+)\":(\"[^\"]*\"|[^,}]+)");

    record Step(String command, int status, String shape) {
    }

    @Test
    void should_answer_every_curl_command_of_the_readme_as_its_comments_say(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")) || Files.isExecutable(Path.of("/bin/curl")),
                "curl is not installed: the README's examples cannot be run");
        List<Step> steps = steps(tour(Files.readString(Path.of("README.md"))));
        assertThat(steps).hasSizeGreaterThan(5);
        Path work = Files.createDirectories(dir.resolve("work"));
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"))) {
            for (Step step : steps) {
                String command = step.command().replace("localhost:8080", "localhost:" + daemon.port())
                        .replaceFirst("^curl ", "curl -w '" + STATUS + "%{http_code}' ");
                Process bash = new ProcessBuilder("bash", "-c", command).directory(work.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(bash.exitValue()).as("exit code of %s", step.command()).isZero();
                int cut = out.lastIndexOf(STATUS);
                assertThat(cut).as("%s printed %s", step.command(), out).isNotNegative();
                String body = out.substring(0, cut);
                int status = Integer.parseInt(out.substring(cut + STATUS.length()).strip());
                if (step.status() == 0) {
                    assertThat(status).as("%s answered %s", step.command(), body).isBetween(200, 299);
                } else {
                    assertThat(status).as("%s answered %s", step.command(), body).isEqualTo(step.status());
                }
                if (step.shape() != null) {
                    assertShape(step, Json.readMap(body.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }

    @Test
    void should_read_the_claims_of_a_tour() {
        List<Step> steps = steps(List.of(
                "# a comment",
                "curl -s -X POST localhost:8080/api/backup \\",
                "  -d '{\"a\":1,",
                "       \"b\":2}'",
                "# -> 201 {\"version\":1,\"bytes\":9,...}",
                "# again:",
                "# -> 200 {\"unchanged\":true,...}",
                "",
                "curl -s localhost:8080/api/sync/status   # the seed's status",
                "curl -s localhost:8080/api/health   # health"));
        assertThat(steps).hasSize(4);
        assertThat(steps.get(0).command()).endsWith("\"b\":2}'");
        assertThat(steps.get(0).status()).isEqualTo(201);
        assertThat(steps.get(1).command()).isEqualTo(steps.get(0).command());
        assertThat(steps.get(1).shape()).isEqualTo("{\"unchanged\":true,...}");
        assertThat(steps.get(2).status()).isZero();
    }

    private static void assertShape(Step step, Map<String, Object> body) throws Exception {
        Matcher field = FIELD.matcher(step.shape());
        while (field.find()) {
            String key = field.group(1);
            String value = field.group(2).strip();
            assertThat(body).as("%s: answer %s has %s", step.command(), body, key).containsKey(key);
            if (!value.equals("...") && !value.equals("\"...\"")) {
                Object expected = Json.readMap(("{\"v\":" + value + "}").getBytes(StandardCharsets.UTF_8)).get("v");
                assertThat(String.valueOf(body.get(key))).as("%s: %s in %s", step.command(), key, body)
                        .isEqualTo(String.valueOf(expected));
            }
        }
    }

    /** The lines of the first ```sh block after the heading. */
    static List<String> tour(String readme) {
        int heading = readme.indexOf("## The API in five minutes");
        assertThat(heading).as("README heading '## The API in five minutes'").isNotNegative();
        int start = readme.indexOf("```sh\n", heading) + "```sh\n".length();
        int end = readme.indexOf("\n```", start);
        return List.of(readme.substring(start, end).split("\n"));
    }

    static List<Step> steps(List<String> lines) {
        List<Step> steps = new ArrayList<>();
        String last = null;
        boolean commentSinceLast = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("curl ")) {
                StringBuilder command = new StringBuilder(line);
                while (incomplete(command.toString()) && i + 1 < lines.size()) {
                    command.append('\n').append(lines.get(++i));
                }
                last = command.toString();
                steps.add(new Step(last, 0, null));
                commentSinceLast = false;
            } else if (CLAIM.matcher(line).find()) {
                Matcher claim = CLAIM.matcher(line);
                claim.find();
                Step step = new Step(last, Integer.parseInt(claim.group(1)), claim.group(2));
                if (commentSinceLast) {
                    steps.add(step);
                } else {
                    steps.set(steps.size() - 1, step);
                }
            } else if (line.startsWith("#")) {
                commentSinceLast = true;
            }
        }
        return steps;
    }

    /**
     * A command that goes on: it leaves a single-quoted string open, or its last line ends in a backslash.
     * A "#" after a space outside quotes starts a comment, whose apostrophes ("the seed's") do not count.
     */
    static boolean incomplete(String command) {
        boolean quoted = false;
        for (String line : command.split("\n", -1)) {
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\'') {
                    quoted = !quoted;
                } else if (c == '#' && !quoted && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                    break;
                }
            }
        }
        return quoted || command.endsWith("\\");
    }
}
