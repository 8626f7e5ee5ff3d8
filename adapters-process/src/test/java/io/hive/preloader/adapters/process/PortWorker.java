package io.hive.preloader.adapters.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

/** A worker of the tests' own: prints a line, then listens on 127.0.0.1:PORT until it is stopped. */
public final class PortWorker {
    private PortWorker() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = Integer.parseInt(args[0]);
        System.out.println("binding 127.0.0.1:" + port);
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            System.out.println("listening on " + server.getLocalPort());
            while (true) {
                server.accept().close();
            }
        }
    }

    /** The command that runs this worker with the test JVM's own java binary and class path. */
    static List<String> command(int port) {
        String javaBinary = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        return List.of(javaBinary, "-cp", System.getProperty("java.class.path"), PortWorker.class.getName(), Integer.toString(port));
    }
}
