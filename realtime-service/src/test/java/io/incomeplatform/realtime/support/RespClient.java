package io.incomeplatform.realtime.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Minimal Redis client (RESP over a socket) for tests that run outside Quarkus, where the
 * application's Redis client is not available. Only commands answering an integer or status.
 */
public final class RespClient implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;

    public RespClient(String redisUrl) throws IOException {
        URI uri = URI.create(redisUrl);
        socket = new Socket(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
        socket.setSoTimeout(5000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    public String command(String... args) throws IOException {
        StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        String reply = in.readLine();
        if (reply == null || reply.startsWith("-")) {
            throw new IOException("Redis refused " + args[0] + ": " + reply);
        }
        return reply;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
