package org.dbmstream.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dbm inspect}: prints the dirty bitmaps of qcow2 images and QEMU migration streams with the
 * values QEMU itself reports (granularity, size, flags, count, sha256).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Prints the dirty bitmaps of qcow2 images and QEMU migration streams (plain or gzip).",
            "For each: node, name, granularity, disk size, flags (e: enabled, p: persistent, i: inconsistent, "
                + "its qcow2 in_use flag set), count and sha256, as QEMU reports them; -w/--wide or --json for "
                + "whole digests."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every file was read", "1:at least one file could not be read (others are still printed)"})
final class InspectCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(InspectCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "One JSON object per bitmap and line, with the keys file, node, "
            + "name, granularity, size, enabled, persistent, count, sha256, inconsistent.")
    boolean json;

    @Mixin
    WideOption wide;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "qcow2 images or QEMU migration streams.")
    List<Path> files;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final List<BitmapReport> all = new ArrayList<>();
        int failed = 0;
        for (final Path file : files) {
            try {
                final List<BitmapReport> reports = BitmapFiles.inspect(file);
                LOG.info("{}: {} bitmap(s)", file, reports.size());
                if (reports.isEmpty()) {
                    err.println("dbm inspect: " + file + ": no dirty bitmaps");
                    err.flush();
                }
                if (json) {
                    reports.forEach(r -> out.println(ReportPrinter.json(r)));
                    out.flush();
                } else {
                    all.addAll(reports);
                }
            } catch (BitmapFiles.PartialReportException e) {
                failed++;
                if (json) {
                    e.readable().forEach(r -> out.println(ReportPrinter.json(r)));
                    out.flush();
                } else {
                    all.addAll(e.readable());
                }
                err.println("dbm inspect: " + file + ": " + oneLine(e));
                err.flush();
            } catch (Exception e) {
                failed++;
                err.println("dbm inspect: " + file + ": " + oneLine(e));
                err.flush();
                LOG.debug("inspect failed for {}", file, e);
            }
        }
        if (!json && !all.isEmpty()) {
            ReportPrinter.table(all, out, wide.wide);
        }
        return failed == 0 ? 0 : 1;
    }

    static String oneLine(final Throwable e) {
        final String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }
}
