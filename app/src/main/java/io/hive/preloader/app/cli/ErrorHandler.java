package io.hive.preloader.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.util.List;

/** picocli's side of {@link FailureReport}: a usage error or a command's failure becomes one line and an exit code. */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String help = cmd.getCommandSpec().qualifiedName() + " --help";
        FailureReport.print(cmd.getErr(), FailureReport.oneLine(e.getMessage()) + " (see '" + help + "')", e, FailureReport.verbose(List.of(args)));
        return Failure.BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        return FailureReport.report(e, cmd.getErr(), parsed.originalArgs());
    }
}
