package io.incomeplatform.deploy.validation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Dockerfile as a list of instructions (continuation lines joined, comments dropped). */
record Dockerfile(List<Instruction> instructions) {

    record Instruction(String keyword, String arguments) {

        /** The arguments without leading --flags (COPY --chown=185 a b -> "a b"). */
        List<String> operands() {
            List<String> operands = new ArrayList<>();
            for (String word : arguments.trim().split("\\s+")) {
                if (!word.startsWith("--")) {
                    operands.add(word);
                }
            }
            return operands;
        }

        boolean hasFlag(String flag) {
            return arguments.contains("--" + flag);
        }
    }

    static Dockerfile read(Path file) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String instruction = pending.toString().strip();
            pending.setLength(0);
            if (!instruction.isEmpty()) {
                String[] parts = instruction.split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
            }
        }
        return new Dockerfile(instructions);
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(instruction -> instruction.keyword().equals(keyword)).toList();
    }

    /** The instructions of the last stage (after the last FROM). */
    Dockerfile finalStage() {
        int lastFrom = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                lastFrom = i;
            }
        }
        return new Dockerfile(instructions.subList(lastFrom, instructions.size()));
    }
}
