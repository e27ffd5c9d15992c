import { MAX_LINE_QUANTITY, quantityProblem, smallestQuantity } from '../../../src/model/quantity';

describe('quantity rules', () => {
  it('accepts what every rule allows', () => {
    expect(quantityProblem('12', { unit: 'BX', minOrderQty: '2', orderMultiple: '6' })).toBeUndefined();
    expect(quantityProblem('2.5', { unit: 'KGM' })).toBeUndefined();
    expect(quantityProblem(MAX_LINE_QUANTITY, { unit: 'EA' })).toBeUndefined();
  });

  it('refuses zero, and more than the maximum', () => {
    expect(quantityProblem('0', { unit: 'EA' })).toBe('The quantity must be more than 0.');
    expect(quantityProblem('99999999999', { unit: 'EA' })).toBe('At most 1000000 EA per line.');
    expect(quantityProblem('11', { unit: 'EA', max: '10' })).toBe('At most 10 EA per line.');
  });

  it('refuses a fraction of a unit counted in pieces, not of one that is measured', () => {
    expect(quantityProblem('1.5', { unit: 'BX' })).toBe(
      'The quantity must be a whole number: box (BX) cannot be divided.',
    );
    expect(quantityProblem('1.5', { unit: 'LTR' })).toBeUndefined();
  });

  it('refuses less than the minimum order quantity', () => {
    expect(quantityProblem('3', { unit: 'RM', minOrderQty: '5' })).toBe(
      'The minimum order quantity is 5 RM.',
    );
  });

  it('refuses what is not a multiple, naming the nearest accepted quantities', () => {
    expect(quantityProblem('15', { unit: 'EA', orderMultiple: '10' })).toBe(
      'Sold in multiples of 10 EA: 15 is not one (try 10 or 20).',
    );
    // Below the first multiple only the next one is offered; so is it below the minimum.
    expect(quantityProblem('4', { unit: 'EA', orderMultiple: '10' })).toBe(
      'Sold in multiples of 10 EA: 4 is not one (try 10).',
    );
    expect(quantityProblem('25', { unit: 'EA', minOrderQty: '30', orderMultiple: '10' })).toBe(
      'The minimum order quantity is 30 EA.',
    );
    expect(quantityProblem('0.75', { unit: 'KGM', orderMultiple: '0.5' })).toBe(
      'Sold in multiples of 0.5 KGM: 0.75 is not one (try 0.5 or 1).',
    );
  });

  it('gives the least accepted quantity', () => {
    expect(smallestQuantity({ unit: 'EA' })).toBe('1');
    expect(smallestQuantity({ unit: 'RM', minOrderQty: '5' })).toBe('5');
    expect(smallestQuantity({ unit: 'EA', minOrderQty: '1', orderMultiple: '12' })).toBe('12');
    expect(smallestQuantity({ unit: 'EA', minOrderQty: '13', orderMultiple: '12' })).toBe('24');
    expect(smallestQuantity({ unit: 'KGM', minOrderQty: '0.3', orderMultiple: '0.25' })).toBe('0.5');
  });
});
