package io.incomeplatform.deploy.validation;

/**
 * One problem found in a manifest.
 *
 * @param object the object it was found in, as {@code Kind/namespace/name}
 * @param rule   the family of check that failed: {@code schema}, {@code policy} or {@code reference}
 * @param detail what is wrong, in words an operator can act on
 */
public record Violation(String object, String rule, String detail) {

    @Override
    public String toString() {
        return object + " [" + rule + "] " + detail;
    }
}
