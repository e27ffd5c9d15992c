/**
 * Lint rules of the page kit (src/platform/pages): HTML is written as JSX, which Preact escapes,
 * never assembled from strings, and nothing bypasses the escaping.
 */

/** Tags of HTML pages; XML element names of our codecs (cXML) are capitalised and not matched. */
const TAG =
  /<\/?(?:html|head|body|main|header|footer|nav|section|article|aside|div|span|p|a|b|i|em|strong|small|code|pre|br|hr|img|table|thead|tbody|tfoot|tr|td|th|caption|form|input|button|select|option|textarea|label|fieldset|legend|h[1-6]|ul|ol|li|dl|dt|dd|style|script|meta|title|link|iframe|noscript)(?=[\s>/])/;

/** Names of the string escapers pages used before the kit. */
const ESCAPERS = new Set(['escapeHtml', 'esc', 'h']);

/** @type {import('eslint').Rule.RuleModule} */
const noHtmlStrings = {
  meta: {
    type: 'problem',
    docs: { description: 'pages build HTML with the page kit (JSX), not from strings' },
    messages: {
      html: 'HTML in a string: write it as JSX with the page kit (src/platform/pages), which escapes every value.',
      escaper:
        '{{name}}(): pages do not escape by hand; render JSX with the page kit (src/platform/pages), which escapes every value.',
      raw: 'dangerouslySetInnerHTML bypasses the escaping of the page kit.',
    },
    schema: [],
  },
  create(context) {
    return {
      Literal(node) {
        if (typeof node.value === 'string' && TAG.test(node.value))
          context.report({ node, messageId: 'html' });
      },
      TemplateElement(node) {
        if (TAG.test(node.value.raw)) context.report({ node, messageId: 'html' });
      },
      ImportSpecifier(node) {
        const name = node.imported.type === 'Identifier' ? node.imported.name : String(node.imported.value);
        if (ESCAPERS.has(name)) context.report({ node, messageId: 'escaper', data: { name } });
      },
      FunctionDeclaration(node) {
        if (node.id && ESCAPERS.has(node.id.name))
          context.report({ node: node.id, messageId: 'escaper', data: { name: node.id.name } });
      },
      VariableDeclarator(node) {
        const fn = node.init && /^(Arrow)?Function(Expression)?$/.test(node.init.type);
        if (fn && node.id.type === 'Identifier' && ESCAPERS.has(node.id.name))
          context.report({ node: node.id, messageId: 'escaper', data: { name: node.id.name } });
      },
      JSXAttribute(node) {
        if (node.name.type === 'JSXIdentifier' && node.name.name === 'dangerouslySetInnerHTML')
          context.report({ node, messageId: 'raw' });
      },
    };
  },
};

/**
 * Every .tsx file names its JSX runtime itself: tsx reads tsconfig.json from the working directory,
 * so a gateway started from anywhere else would compile JSX for React and fail on the first page.
 */
const PRAGMA = '/** @jsxRuntime automatic @jsxImportSource preact */';

/** @type {import('eslint').Rule.RuleModule} */
const jsxPragma = {
  meta: {
    type: 'problem',
    docs: { description: 'each .tsx file starts with the Preact JSX pragma' },
    messages: {
      missing: `A .tsx file starts with ${PRAGMA} (the JSX runtime must not depend on the working directory).`,
    },
    fixable: 'code',
    schema: [],
  },
  create(context) {
    return {
      Program(node) {
        if (!context.filename.endsWith('.tsx')) return;
        const text = context.sourceCode.getText();
        if (!text.startsWith(PRAGMA))
          context.report({
            node,
            messageId: 'missing',
            fix: (f) => f.insertTextBeforeRange([0, 0], `${PRAGMA}\n`),
          });
      },
    };
  },
};

module.exports = { rules: { 'no-html-strings': noHtmlStrings, 'jsx-pragma': jsxPragma } };
