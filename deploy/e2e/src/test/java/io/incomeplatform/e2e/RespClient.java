package io.incomeplatform.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Just enough of the Redis protocol (RESP) to read a hash field and publish, so the tests need no client library. */
final class RespClient {

    private RespClient() {
    }

    static String hget(String host, int port, String key, String field) throws IOException {
        return command(host, port, "HGET", key, field);
    }

    static void publish(String host, int port, String channel, String message) throws IOException {
        command(host, port, "PUBLISH", channel, message);
    }

    /** Sends one command and returns a bulk-string reply (null for a nil), or an integer reply as text. */
    private static String command(String host, int port, String... parts) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            StringBuilder command = new StringBuilder("*" + parts.length + "\r\n");
            for (String part : parts) {
                command.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
            }
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String header = in.readLine();
            if (header != null && header.startsWith(":")) {
                return header.substring(1);
            }
            if (header == null || header.startsWith("-")) {
                throw new IOException("Redis answered " + header);
            }
            if (header.equals("$-1")) {
                return null;
            }
            char[] value = new char[Integer.parseInt(header.substring(1))];
            int read = 0;
            while (read < value.length) {
                read += in.read(value, read, value.length - read);
            }
            return new String(value);
        }
    }
}
