package dev.keyhole.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes what the benchmark measured: {@code results.json} (one object per scenario, target and metric),
 * {@code results.md} (the same as a Markdown table, for docs/performance.md) and {@code chart.svg} with
 * {@code chart.html} (one bar panel per scenario and metric, each bar labelled with its value and its ratios to the
 * floor and to the peer).
 */
final class Report {

    private static final int WIDTH = 760;
    private static final int LABEL = 190;
    private static final int BAR = 16;

    private Report() {
    }

    static void write(Path out, String scale, List<Result> results) throws IOException {
        Files.writeString(out.resolve("results.json"),
                results.stream().map(Result::toJson).collect(Collectors.joining(",\n  ", "[\n  ", "\n]\n")));
        Files.writeString(out.resolve("results.md"), table(results));
        String svg = chart(results);
        Files.writeString(out.resolve("chart.svg"), svg);
        Files.writeString(out.resolve("chart.html"), "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Keyhole benchmark</title></head><body style=\"font-family:sans-serif\">\n<h1>Keyhole benchmark ("
                + scale + ", " + Instant.now() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs)</h1>\n"
                + svg + "\n<pre>" + escape(table(results)) + "</pre>\n</body></html>\n");
    }

    static String table(List<Result> results) {
        StringBuilder md = new StringBuilder(
                "| scenario | target | metric | value | unit | floor | ratio to floor | peer | ratio to peer | server CPU µs/msg | client CPU (cores) | note |\n"
                        + "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            md.append("| ").append(r.scenario()).append(" | ").append(r.target()).append(" | ").append(r.metric())
                    .append(" | ").append(round(r.value())).append(" | ").append(r.unit()).append(" | ")
                    .append(round(r.floor())).append(" | ").append(round(r.ratioToFloor())).append(" | ")
                    .append(round(r.peer())).append(" | ").append(round(r.ratioToPeer())).append(" | ")
                    .append(round(r.serverCpuMicrosPerMessage())).append(" | ").append(round(r.clientCpu()))
                    .append(" | ").append(r.note() == null ? "" : r.note().replace("|", "/")).append(" |\n");
        }
        return md.toString();
    }

    private static String chart(List<Result> results) {
        Map<String, List<Result>> panels = new LinkedHashMap<>();
        for (Result r : results) {
            if (!r.scenario().endsWith("-sweep")) {
                panels.computeIfAbsent(r.scenario() + ": " + r.metric() + " (" + r.unit() + ")", k -> new ArrayList<>()).add(r);
            }
        }
        StringBuilder body = new StringBuilder();
        int y = 10;
        for (Map.Entry<String, List<Result>> panel : panels.entrySet()) {
            body.append(text(10, y + 14, panel.getKey(), "bold"));
            y += 22;
            double max = panel.getValue().stream().mapToDouble(Result::value).filter(Double::isFinite).max().orElse(1);
            for (Result r : panel.getValue()) {
                double value = Double.isFinite(r.value()) ? r.value() : 0;
                int length = max <= 0 ? 0 : (int) Math.round((WIDTH - LABEL - 170) * value / max);
                String colour = r.target().equals(Targets.FLOOR) ? "#888"
                        : r.target().contains("trivial") || r.target().equals(Targets.PEER) ? "#9bc" : "#2a6";
                body.append(text(10, y + 12, r.target(), "normal"));
                body.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", LABEL, y,
                        Math.max(length, 1), BAR, colour));
                Double ratio = r.ratioToFloor();
                Double toPeer = r.ratioToPeer();
                body.append(text(LABEL + length + 6, y + 12, round(r.value()) + " " + r.unit()
                        + (ratio == null || r.target().equals(Targets.FLOOR) ? "" : "  (" + round(ratio) + "× floor"
                        + (toPeer == null ? "" : ", " + round(toPeer) + "× peer") + ")"), "normal"));
                y += BAR + 4;
            }
            y += 10;
        }
        return String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\"><rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>",
                WIDTH, y + 10) + body + "</svg>\n";
    }

    private static String text(int x, int y, String content, String weight) {
        return String.format("<text x=\"%d\" y=\"%d\" font-weight=\"%s\">%s</text>", x, y, weight, escape(content));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String round(Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return "–";
        }
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
