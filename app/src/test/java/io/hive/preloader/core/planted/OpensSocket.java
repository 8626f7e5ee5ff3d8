package io.hive.preloader.core.planted;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A planted violation: core opening a socket. */
public class OpensSocket {
    public boolean probe(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            return true;
        }
    }
}
